import { parse } from "acorn";
import { describe, expect, it } from "vitest";
import { applyEdits, escapeLoneSurrogates } from "../../src/compile/emit";
import { generatedNames } from "../../src/compile/names";
import { parseProgram } from "../../src/compile/parse";
import { decideShape } from "../../src/compile/shape";
import { wrapEdits } from "../../src/compile/wrap";

function wrap(code: string): string {
  const parsed = parseProgram(code);
  if (!parsed.ok) throw new Error(`does not parse: ${code}`);
  const shape = decideShape(parsed.value);
  return applyEdits(code, wrapEdits(code, shape, generatedNames(code, parsed.value))).code;
}

/** The user's part of the wrapped module: what runs inside the per-run function. */
function body(wrapped: string): string {
  const start = wrapped.indexOf("\n", wrapped.indexOf("return (async () => {")) + 1;
  return wrapped.slice(start, wrapped.lastIndexOf("\n})(); };"));
}

describe("wrapEdits", () => {
  it("wraps statements in a per-run async function with args, $ and console in scope", () => {
    expect(wrap("return args.n + 1")).toMatchInlineSnapshot(`
      "const $fx_mode = "value"; export { $fx_mode as mode };
      export default ($fx_rt) => { const $fx_tick = $fx_rt.tick; let $fx_fuel = 0; const args = $fx_rt.args, $ = $fx_rt.$, console = $fx_rt.console; return (async () => {
      return args.n + 1
      })(); };
      "
    `);
  });

  it.each([
    ["const a = 1; a + 1", "const a = 1; return (a + 1)"],
    ["f()\n;[1, 2]", "f()\n;return ([1, 2])"],
    ["x => x * 2", "return (x => x * 2)"],
    ["function main(args) { return args }", "function main(args) { return args }\n;return main;"],
    [
      "export default function (a) { return a }",
      "const $fx_default = { default: function (a) { return a } }.default;\n;return $fx_default;",
    ],
    ["export default async function run() {}", " async function run() {}\n;return run;"],
    ["export default { a: 1 }", "const $fx_default = { default: { a: 1 } }.default;\n;return $fx_default;"],
    ["export default (x) => x;", "const $fx_default = { default: (x) => x }.default;\n;return $fx_default;"],
    ["export const a = 1; export function b() {}", "const a = 1; function b() {}"],
    ["const v = 2; export { v as default, v }", "const v = 2; \n;return v;"],
    ["return 1", "return 1"],
  ])("rewrites %j so the run returns its result", (code, expected) => {
    expect(body(wrap(code))).toBe(expected);
  });

  it("moves imports out of the per-run function, keeping their text", () => {
    const wrapped = wrap('const a = 1;\nimport { $ } from "functions.do"\nreturn $');
    expect(wrapped.startsWith('import { $ } from "functions.do";\n')).toBe(true);
    expect(body(wrapped)).toBe("const a = 1;\n\nreturn $");
  });

  it("imports re-exported modules under generated names", () => {
    const wrapped = wrap('export * from "functions.do"\nexport { $ as runtime, $ } from "functions.do"\nreturn 1');
    expect(wrapped.startsWith('import * as $fx_mode_x0 from "functions.do";\n')).toBe(true);
    expect(wrapped).toContain('import { "$" as $fx_mode_x1, "$" as $fx_mode_x2 } from "functions.do";\n');
  });

  it.each([
    ["export class Counter {}\nexport function f() {}", '"Counter": Counter, "f": f'],
    ["export const a = 1, { b, c: [d, ...e] } = x, f = 2;", '"a": a, "b": b, "d": d, "e": e, "f": f'],
    ['const v = 2; export { v as default, v as "a-b" }', '"default": v, "a-b": v'],
    ["export default class Counter {}", "default: Counter"],
    ["export default { a: 1 }", "default: $fx_default"],
    ['export * as ns from "functions.do"', '"ns": $fx_mode_x0'],
    ['export * from "functions.do"', "...$fx_mode_x0"],
  ])("lists the exports of %j for open()", (code, listed) => {
    expect(wrap(code)).toContain(`$fx_rt.exports = () => ({ ${listed} });`);
  });

  it("lists nothing when nothing is exported", () => {
    expect(wrap("return 1")).not.toContain(".exports");
  });

  it("exports the run mode the shape decided", () => {
    expect(wrap("(a) => a")).toContain('const $fx_mode = "call"; export { $fx_mode as mode };');
    expect(wrap("1")).toContain('const $fx_mode = "value"; export { $fx_mode as mode };');
  });

  it.each([
    "return 1",
    "let args = 5; var $ = 1; const console = null; args",
    "export default class { m() {} }",
    "export default (a) => a\n(1)",
    "import { $ } from 'functions.do'; export { $ as default }",
    "function main() {}\n// trailing comment without newline",
    "'use strict'\nreturn this",
  ])("produces a module that parses for %j", (code) => {
    expect(() => parse(wrap(code), { ecmaVersion: "latest", sourceType: "module" })).not.toThrow();
  });
});

describe("escapeLoneSurrogates", () => {
  it("escapes lone surrogates and leaves pairs and other text alone", () => {
    expect(escapeLoneSurrogates('"\ud800" + "\udc00x" + "😀"')).toBe('"\\ud800" + "\\udc00x" + "😀"');
  });

  it("returns well-formed text unchanged", () => {
    const text = "const s = 'héllo 😀';";
    expect(escapeLoneSurrogates(text)).toBe(text);
  });
});

describe("wrapEdits on edge cases the fuzzer found", () => {
  it.each([
    ["export default (1)", "const $fx_default = { default: (1) }.default;\n;return $fx_default;"],
    ["export default (x) ;", "const $fx_default = { default: (x)  }.default;\n;return $fx_default;"],
    [
      "export default /* c */ ((a) => a)",
      "const $fx_default = { default: /* c */ ((a) => a) }.default;\n;return $fx_default;",
    ],
  ])("keeps parentheses of the default export value: %j", (code, expected) => {
    expect(body(wrap(code))).toBe(expected);
  });

  it("turns a hashbang into a comment, since the wrapper comes before it", () => {
    const wrapped = wrap("#!/usr/bin/env node\nreturn 1");
    expect(body(wrapped)).toBe("///usr/bin/env node\nreturn 1");
    expect(() => parse(wrapped, { ecmaVersion: "latest", sourceType: "module" })).not.toThrow();
  });
});
