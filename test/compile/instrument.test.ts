import { parse } from "acorn";
import { describe, expect, it } from "vitest";
import { applyEdits } from "../../src/compile/emit";
import { instrumentEdits } from "../../src/compile/instrument";
import { generatedNames } from "../../src/compile/names";
import { parseProgram } from "../../src/compile/parse";

function instrument(code: string): string {
  const parsed = parseProgram(code);
  if (!parsed.ok) throw new Error(`does not parse: ${code}`);
  return applyEdits(code, instrumentEdits(parsed.value, generatedNames(code, parsed.value))).code;
}

const CHECK = "if (++$fx_fuel > 1000) $fx_fuel = $fx_tick();";

describe("instrumentEdits", () => {
  it.each([
    ["while (true) {}", `while (true) {${CHECK}}`],
    ["while (x) y()", `while (x) {${CHECK} y()}`],
    ["for (;;);", `for (;;){${CHECK} ;}`],
    ["for (const k in o) f(k)", `for (const k in o) {${CHECK} f(k)}`],
    ["for (const v of a) { g(v) }", `for (const v of a) {${CHECK} g(v) }`],
    ["do x++; while (x < 9)", `do {${CHECK} x++;} while (x < 9)`],
    ["for await (const c of s) {}", `for await (const c of s) {${CHECK}}`],
  ])("checks fuel at the top of every loop body: %j", (code, expected) => {
    expect(instrument(code)).toBe(expected);
  });

  it.each([
    ["function f() { return 1 }", `function f() {${CHECK} return 1 }`],
    ["const f = function () {}", `const f = function () {${CHECK}}`],
    ["const f = async () => { await g() }", `const f = async () => {${CHECK} await g() }`],
    ["const f = (x) => x * 2", "const f = (x) => (++$fx_fuel > 1000 && ($fx_fuel = $fx_tick()), x * 2)"],
    ["const f = () => ({ a: 1 })", "const f = () => ((++$fx_fuel > 1000 && ($fx_fuel = $fx_tick()), { a: 1 }))"],
    ["class A { m() {} get g() { return 1 } }", `class A { m() {${CHECK}} get g() {${CHECK} return 1 } }`],
    ["const o = { *gen() { yield 1 } }", `const o = { *gen() {${CHECK} yield 1 } }`],
  ])("checks fuel on entry to every function: %j", (code, expected) => {
    expect(instrument(code)).toBe(expected);
  });

  it("nests checks in nested loops and callbacks", () => {
    expect(instrument("[1].forEach((x) => { for (;;) while (x) x-- })")).toMatchInlineSnapshot(
      `"[1].forEach((x) => {if (++$fx_fuel > 1000) $fx_fuel = $fx_tick(); for (;;) {if (++$fx_fuel > 1000) $fx_fuel = $fx_tick(); while (x) {if (++$fx_fuel > 1000) $fx_fuel = $fx_tick(); x--}} })"`,
    );
  });

  it.each([
    "label: for (let i = 0; i < 3; i++) { for (;;) { continue label } }",
    "if (a) while (b) c(); else d()",
    "const f = a => b => c => a + b + c",
    "x = async function* () { for await (const y of z) yield y }",
    "class K { static { for (;;) break } constructor() { super.x } }",
    "switch (v) { case 1: for (;;) {} default: do ; while (0) }",
  ])("keeps %j a valid program with one check per loop and function", (code) => {
    const output = instrument(code);
    expect(() =>
      parse(output, { ecmaVersion: "latest", sourceType: "module", allowReturnOutsideFunction: true }),
    ).not.toThrow();
    // A do-while has one `while`, so counting `for` and `while` counts every loop once.
    const loops = (code.match(/\b(for|while)\b/g) ?? []).length;
    const functions = (code.match(/=>|\bfunction\b|\bconstructor\(/g) ?? []).length;
    expect(output.split("$fx_tick()").length - 1).toBe(loops + functions);
  });
});
