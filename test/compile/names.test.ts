import { describe, expect, it } from "vitest";
import { freshName, generatedNames } from "../../src/compile/names";
import { parseProgram } from "../../src/compile/parse";

function namesFor(code: string) {
  const parsed = parseProgram(code);
  if (!parsed.ok) throw new Error("does not parse");
  return generatedNames(code, parsed.value);
}

describe("generatedNames", () => {
  it("uses the $fx prefix when the code does not mention it", () => {
    expect(namesFor("return 1").fuel).toBe("$fx_fuel");
  });

  it("moves to another prefix when the code mentions it", () => {
    expect(namesFor("let $fx_fuel = 0; return $fx_fuel").fuel).toBe("$fx1_fuel");
    expect(namesFor("let $fx1_fuel = 0, $fx22 = 1; return $fx1_fuel").fuel).toBe("$fx100_fuel");
  });

  it("picks a name in one pass even when the code is full of near misses", () => {
    const code = Array.from({ length: 20_000 }, (_, n) => `$fx${n}`).join(";");
    expect(freshName(code, "$fx")).toBe("$fx100000");
  });

  it("sees identifiers written with unicode escapes", () => {
    // `\u0024fx_fuel` is the identifier `$fx_fuel`: the text alone would not show it.
    const code = "let \\u0024fx1_fuel = 0; \\u0024fx_fuel = 1";
    const names = namesFor(code);
    expect(names.fuel).not.toBe("$fx_fuel");
    expect(names.fuel).not.toBe("$fx1_fuel");
  });

  it("gives every generated name the same prefix", () => {
    const names = namesFor("return 1");
    for (const name of Object.values(names)) expect(name.startsWith("$fx_")).toBe(true);
  });
});

describe("freshName", () => {
  it.each([
    ["", "x", "x"],
    ["x", "x", "x1"],
    ["x x1 x2", "x", "x10"],
    ["x123", "x", "x1000"],
  ])("in %j picks a free name for %s: %s", (code, base, expected) => {
    expect(freshName(code, base)).toBe(expected);
  });
});
