/** Every shape of `code` docs/api.md promises, run in workerd through the real loader. */

import { describe, expect, it } from "vitest";
import { execute, resultOf } from "./client";

describe("snippet shapes", () => {
  it.each([
    ["statements with a top-level return", "return 2 + 2", 4],
    ["statements with a top-level await", "const v = await Promise.resolve(20);\nreturn v + 1", 21],
    ["a bare expression", "2 + 2", 4],
    ["statements ending in an expression", "const a = 1; a + 1", 2],
    ["a last expression that awaits", "await Promise.resolve('done')", "done"],
    ["statements without a return", "const a = 1;", undefined],
  ])("runs %s", async (_shape, code, expected) => {
    expect(await resultOf(code)).toEqual(expected);
  });

  it.each([
    ["an arrow function", "(args) => args.x * 2"],
    ["an async arrow function", "async (args) => args.x * 2"],
    ["a function expression", "(function (args) { return args.x * 2 })"],
    ["an async function expression", "(async function (args) { return args.x * 2 })"],
    ["a lone function declaration", "function double(args) { return args.x * 2 }"],
    [
      "a main function among helpers",
      "function main(args) { return twice(args.x) }\nfunction twice(n) { return n * 2 }",
    ],
    ["an export default function", "export default function (args) { return args.x * 2 }"],
    ["an export default async arrow", "export default async (args) => args.x * 2"],
    ["a named export default function", "export default function double({ x }) { return x * 2 }"],
    ["a default export of a local function", "const double = (args) => args.x * 2;\nexport { double as default }"],
  ])("calls %s with args", async (_shape, code) => {
    expect(await resultOf(code, { args: { x: 21 } })).toBe(42);
  });

  it("returns an export default value as is", async () => {
    expect(await resultOf("export default { answer: 42 }")).toEqual({ answer: 42 });
  });

  it("returns an exported class as a description instead of calling it", async () => {
    expect(await resultOf("export default class Greeter {}")).toBe("[class Greeter]");
  });

  it.each([
    ["```js", "javascript"],
    ["```ts", "typescript"],
    ["```", "typescript"],
    ["```typescript", "javascript"],
  ])("runs code inside a %s fence with prose around it (%s)", async (fence, language) => {
    const code = `Here's the snippet:\n\n${fence}\nconst x = 20;\nreturn x + args.n;\n\`\`\`\n\nIt adds n to 20.`;
    expect(await resultOf(code, { args: { n: 22 }, language })).toBe(42);
  });

  it("runs a fenced function shape", async () => {
    expect(await resultOf("```ts\nexport default (args: { n: number }) => args.n + 1\n```", { args: { n: 1 } })).toBe(
      2,
    );
  });

  it.each([
    ["statements", 'import { $ } from "functions.do";\nreturn typeof $.ctx.requestId'],
    ["an expression", 'import { $ } from "functions.do";\ntypeof $.ctx.requestId'],
    ["a function", 'import { $ } from "functions.do";\n(args) => typeof $.ctx.requestId'],
    ["a module", 'import { $ } from "functions.do";\nexport default () => typeof $.ctx.requestId'],
    ["a declaration", 'import { $ } from "functions.do";\nfunction main() { return typeof $.ctx.requestId }'],
  ])("runs imports of provided modules at the top of %s", async (_shape, code) => {
    expect(await resultOf(code)).toBe("string");
  });

  it.each([
    ["statements", "return [typeof $, typeof $.ctx]"],
    ["an expression", "[typeof $, typeof $.ctx]"],
    ["a function", "() => [typeof $, typeof $.ctx]"],
    ["a module", "export default () => [typeof $, typeof $.ctx]"],
    ["a declaration", "function main() { return [typeof $, typeof $.ctx] }"],
    ["a callback run later", "await new Promise((resolve) => setTimeout(resolve, 1)); return [typeof $, typeof $.ctx]"],
  ])("has $ in scope in %s", async (_shape, code) => {
    expect(await resultOf(code)).toEqual(["object", "object"]);
  });

  it("makes args visible as `args` in every shape, null when absent", async () => {
    expect(await resultOf("return args")).toBeNull();
    expect(await resultOf("args.list.length", { args: { list: [1, 2, 3] } })).toBe(3);
    expect(await resultOf("export default () => args", { args: "same" })).toBe("same");
  });

  it("lets code shadow args, $ and console with its own declarations", async () => {
    expect(await resultOf("let args = 1; var $ = 2; const console = 3; return args + $ + console", { args: 10 })).toBe(
      6,
    );
  });

  it("evaluates the top level afresh on every run", async () => {
    const code = "globalThis.runs = (globalThis.runs ?? 0) + 1;\nlet counter = 0;\ncounter++;\nreturn counter";
    expect(await resultOf(code)).toBe(1);
    expect(await resultOf(code)).toBe(1);
  });

  it("runs TypeScript-only syntax: types, enums, generics, satisfies", async () => {
    const code = [
      "enum Color { Red = 'red', Blue = 'blue' }",
      "interface Box<T> { value: T }",
      "const box = { value: Color.Blue } satisfies Box<Color>;",
      "function id<T>(x: T): T { return x }",
      "return id<string>(box.value)",
    ].join("\n");
    expect(await resultOf(code)).toBe("blue");
  });

  it("reads JavaScript with language javascript, where TypeScript syntax is an error", async () => {
    const execution = await execute({ code: "const a: number = 1", language: "javascript" });
    expect(execution.error?.kind).toBe("syntax");
  });
});
