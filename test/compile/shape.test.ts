import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/compile/parse";
import { decideShape, type Shape } from "../../src/compile/shape";

function shapeOf(code: string): Shape {
  const parsed = parseProgram(code);
  if (!parsed.ok) throw new Error(`does not parse: ${code}`);
  return decideShape(parsed.value);
}

function completionOf(shape: Shape): string {
  const completion = shape.completion;
  if (completion.type === "binding") return `binding ${completion.name}`;
  return completion.type;
}

describe("decideShape", () => {
  it.each([
    ["return 2 + 2", "statements", "value", "none"],
    ["const a = 1; if (a) { return a }", "statements", "value", "none"],
    ["", "statements", "value", "none"],
    ["2 + 2", "expression", "value", "expression"],
    ["const a = 1; a + 1", "expression", "value", "expression"],
    ["await Promise.resolve(3)", "expression", "value", "expression"],
    ["'a string'", "expression", "value", "expression"],
    ["async (args) => args.x * 2", "function", "call", "expression"],
    ["(function (args) { return args })", "function", "call", "expression"],
    ["const k = 2; (args) => args * k", "function", "call", "expression"],
    ["function main(args) { return args }", "declaration", "call", "binding main"],
    ["function helper() {}\nfunction main() { return helper() }", "declaration", "call", "binding main"],
    ["function a() {}\nfunction b() {}", "declaration", "call", "binding b"],
    ["export function handler(args) { return args }", "declaration", "call", "binding handler"],
    ["export default function (args) { return args }", "module", "call", "default-export"],
    ["export default function run(args) { return args }", "module", "call", "binding run"],
    ["export default 42", "module", "call", "default-export"],
    ["const value = 1; export { value as default }", "module", "call", "binding value"],
    ["export default class Greeter {}", "module", "call", "binding Greeter"],
    ["import { $ } from 'functions.do'\n$.ctx", "expression", "value", "expression"],
    ["import { $ } from 'functions.do'\nexport default () => $", "module", "call", "default-export"],
  ])("reads %j as %s (%s, %s)", (code, kind, mode, completion) => {
    const shape = shapeOf(code);
    expect([shape.kind, shape.mode, completionOf(shape)]).toEqual([kind, mode, completion]);
  });

  it("separates imports from the statements that run", () => {
    const shape = shapeOf("import a from 'a';\nimport { b } from 'b';\nreturn a + b");
    expect(shape.imports.map((node) => node.source.value)).toEqual(["a", "b"]);
  });

  it("collects every module the code asks for, static, re-exported and dynamic", () => {
    const shape = shapeOf(
      "import a from 'a';\nexport * from 'b';\nexport { c } from 'c';\nawait import('d');\nawait import(name)",
    );
    expect(shape.requests.map((request) => [request.specifier, request.dynamic, request.computed])).toEqual([
      ["a", false, false],
      ["b", false, false],
      ["c", false, false],
      ["d", true, false],
      ["", true, true],
    ]);
  });
});
