/** Error kinds and locations (docs/api.md, "On failure"): always in the coordinates of the submitted code. */

import { describe, expect, it } from "vitest";
import { errorOf, execute } from "./client";

describe("syntax errors", () => {
  it.each([
    ["javascript", "const a = 1;\nconst b = ;", 2, 11],
    ["typescript", "const a: number = 1;\nconst b: = 2;", 2, 10],
    ["typescript", "const users = await load();\nreturn users.map((u: User) => u.id;", 2, 35],
    ["typescript", "Here:\n```ts\nconst x = 1;\nconst y = (x;\n```", 4, 13],
    ["javascript", "const a = 1;\r\nconst b = 2;\r\nconst c = ;", 3, 11],
    ["javascript", "const a = 1;\rconst b = ;", 2, 11],
  ])("locates a %s syntax error in the submitted text", async (language, code, line, column) => {
    const error = await errorOf(code, { language });
    expect(error).toMatchObject({ kind: "syntax", name: "SyntaxError", line, column });
    expect(error.frame).toContain(`> ${line} |`);
  });

  it("runs nothing when the code does not compile", async () => {
    const execution = await execute({ code: "console.log('ran');\nconst = 1" });
    expect(execution.logs).toEqual([]);
    expect(execution.error?.kind).toBe("syntax");
    expect(execution.timings.runMs).toBe(0);
  });

  it("names an unknown module and lists the ones provided", async () => {
    const error = await errorOf('import { readFileSync } from "node:fs";\nreturn readFileSync("/x")');
    expect(error).toMatchObject({
      kind: "syntax",
      message:
        'Cannot find module "node:fs": only these modules can be imported: cheerio, cloudflare:workers, date-fns, dayjs, decimal.js, diff, fast-xml-parser, functions.do, lodash-es, marked, nanoid, papaparse, uuid, yaml, zod',
      line: 1,
      column: 30,
      hint: "Import the service's modules, a package of the ready set (GET /types lists them), or an npm package by name where the operator's package policy allows it.",
    });
  });

  it.each([
    "}), (globalThis.x = 1), (async () => {",
    "})(); globalThis.escaped = true; (async () => {",
    "return 1 }; export const leaked = 1; export default () => { ",
    "*/ return 1; /*",
  ])("does not let %j break out of the wrapper", async (code) => {
    const error = await errorOf(code);
    expect(error.kind).toBe("syntax");
    expect(error.line).toBe(1);
  });
});

describe("runtime errors", () => {
  it("locates a thrown error in the submitted lines, with a mapped stack", async () => {
    const error = await errorOf("const a = 1;\nfunction f() {\n  return a.b.c;\n}\nf();", { language: "javascript" });
    expect(error).toMatchObject({ kind: "runtime", name: "TypeError", line: 3, column: 14 });
    expect(error.stack).toBe(
      "TypeError: Cannot read properties of undefined (reading 'c')\n    at f (snippet.js:3:14)\n    at snippet.js:5:1",
    );
  });

  it("maps TypeScript errors to the TypeScript lines, not the stripped JavaScript", async () => {
    const code =
      "interface User {\n  name: string;\n}\nconst users: User[] = await Promise.resolve([]);\nreturn users[0].name;";
    const error = await errorOf(code);
    expect(error).toMatchObject({ kind: "runtime", name: "TypeError", line: 5 });
    expect(error.stack).toContain("snippet.ts:5:");
  });

  it("maps errors in fenced code to the line of the whole submitted text", async () => {
    const error = await errorOf("Try this:\n\n```js\nconst x = null;\nx.y;\n```\n");
    expect(error).toMatchObject({ line: 5, column: 3 });
  });

  it("keeps own properties of thrown errors such as code and details", async () => {
    const error = await errorOf(
      "class AppError extends Error { name = 'AppError' }\nconst e = new AppError('denied');\ne.code = 'E_CUSTOM';\ne.details = { id: 7, tags: ['a'] };\nthrow e;",
    );
    expect(error).toMatchObject({
      kind: "runtime",
      name: "AppError",
      message: "denied",
      code: "E_CUSTOM",
      details: { id: 7, tags: ["a"] },
      line: 2,
    });
  });

  it("drops properties JSON cannot hold instead of failing", async () => {
    const error = await errorOf("const e = new Error('x'); e.code = 1; e.big = 1n; e.fn = () => 1; throw e");
    expect(error.code).toBe(1);
    expect(error).not.toHaveProperty("big");
    expect(error).not.toHaveProperty("fn");
  });

  it("does not let error properties overwrite the report's own fields", async () => {
    const error = await errorOf("const e = new Error('x'); e.kind = 'fake'; e.line = 99; throw e");
    expect(error.kind).toBe("runtime");
    expect(error.line).toBe(1);
  });

  it.each([
    ["a number", "throw 42", "42"],
    ["a string", "throw 'plain'", "plain"],
    ["null", "throw null", "null"],
    ["an object", "throw { code: 'E', reason: 'x' }", '{"code":"E","reason":"x"}'],
  ])("reports a thrown %s as an Error with its string form", async (_what, code, message) => {
    const error = await errorOf(code);
    expect(error).toMatchObject({ kind: "runtime", name: "Error", message });
  });

  it("keeps the properties of a thrown plain object", async () => {
    expect(await errorOf("throw { code: 'E_OBJ', details: [1] }")).toMatchObject({ code: "E_OBJ", details: [1] });
  });

  it("reports a rejected promise like a throw", async () => {
    const error = await errorOf("await Promise.reject(new RangeError('out of range'))");
    expect(error).toMatchObject({ kind: "runtime", name: "RangeError", message: "out of range" });
  });

  it("reports an error thrown by a called function shape", async () => {
    const error = await errorOf("export default (args) => {\n  if (!args) throw new Error('args required');\n}");
    expect(error).toMatchObject({ message: "args required", line: 2, column: 20 });
    expect(error.stack).toBe("Error: args required\n    at default (snippet.ts:2:20)");
  });

  it("refuses eval and new Function with a clear error", async () => {
    expect((await errorOf("return eval('1 + 1')")).message).toContain("Code generation from strings disallowed");
    expect((await errorOf("return new Function('return 1')()")).message).toContain(
      "Code generation from strings disallowed",
    );
  });
});
