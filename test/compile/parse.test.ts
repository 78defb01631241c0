import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/compile/parse";

/** "message (line:column)" with a 1-based column, as users see it. */
function firstError(code: string): string | undefined {
  const result = parseProgram(code);
  if (result.ok) return undefined;
  const [diagnostic] = result.diagnostics;
  const position = diagnostic?.position;
  return `${diagnostic?.message} (${position?.line}:${(position?.column ?? -1) + 1})`;
}

describe("parseProgram", () => {
  it.each([
    "return 2 + 2",
    "await Promise.resolve(1)",
    "const a = 1; a + 1",
    "import { $ } from 'functions.do'; return $",
    "export default function (args) { return args }",
    "#!/usr/bin/env node\nreturn 1",
    "for await (const x of []) {}\nreturn 1",
    "label: for (;;) { break label }",
    "class A { static #x = 1; static { A.y = A.#x } }",
    "using_ = 1",
  ])("accepts %j", (code) => {
    expect(parseProgram(code).ok).toBe(true);
  });

  it.each([
    ["const a = ;", "Unexpected token (1:11)"],
    ["const a = 1;\nconst b = ;", "Unexpected token (2:11)"],
    ["return 'unterminated", "Unterminated string constant (1:8)"],
    ["}), (globalThis.x = 1), (async () => {", "Unexpected token (1:1)"],
    ["if (x) {\n  return 1\n", "Unexpected token (3:1)"],
    ["let let = 1", "The keyword 'let' is reserved (1:5)"],
    ["with (a) {}", "'with' in strict mode (1:1)"],
    ["delete x", "Deleting local variable in strict mode (1:1)"],
    ["function f() { import x from 'y' }", "'import' and 'export' may only appear at the top level (1:16)"],
    ["const x = 1; const x = 2", "Identifier 'x' has already been declared (1:20)"],
    ["new.target", "'new.target' can only be used in functions and class static block (1:1)"],
  ])("rejects %j with %s", (code, expected) => {
    expect(firstError(code)).toBe(expected);
  });

  it("gives a hint for unterminated strings", () => {
    const result = parseProgram("return 'x");
    expect(result.ok ? undefined : result.diagnostics[0]?.hint).toBe(
      "Close the string, comment or template that starts here.",
    );
  });

  it("counts lines the way the submitted text does after normalisation", () => {
    expect(firstError("const a = 1;\n\n\n  const = 2")).toBe("Unexpected token (4:9)");
  });
});
