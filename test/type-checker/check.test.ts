import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { TypeChecker } from "../../type-checker/check";

const require = createRequire(import.meta.url);
const libDir = dirname(require.resolve("typescript-js/lib/lib.d.ts"));

const RUNTIME = `
declare const $: { kv: { get(key: string): Promise<string | null> } };
declare const args: unknown;
`;

let checker: TypeChecker;

beforeAll(() => {
  const libraries: Record<string, string> = {};
  for (const name of readdirSync(libDir)) {
    if (/^lib\..*\.d\.ts$/.test(name)) libraries[name] = readFileSync(join(libDir, name), "utf8");
  }
  checker = new TypeChecker(libraries, RUNTIME);
});

describe("TypeChecker", () => {
  it("accepts a snippet with a top-level return and await", () => {
    expect(checker.check("const v = await $.kv.get('a');\nreturn v?.length ?? 0;")).toEqual([]);
  });

  it("reports each type error at its own line and column", () => {
    const found = checker.check('const x: number = "a";\nconst y = x.foo;\nreturn y');
    expect(found.map(({ code, start, end }) => ({ code, start, end }))).toEqual([
      { code: 2322, start: { line: 1, column: 6 }, end: { line: 1, column: 7 } },
      { code: 2339, start: { line: 2, column: 12 }, end: { line: 2, column: 15 } },
    ]);
    expect(found[1]?.message).toBe("Property 'foo' does not exist on type 'number'.");
  });

  it("checks member access on the $ runtime", () => {
    const [found] = checker.check("return $.kv.put('a', 'b');");
    expect(found?.message).toBe(
      "Property 'put' does not exist on type '{ get(key: string): Promise<string | null>; }'.",
    );
  });

  it("narrows after a bare top-level return, and checks returns inside functions as returns", () => {
    const code = [
      "const v = await $.kv.get('a');",
      "if (v === null) return",
      "const n: string = v;",
      "function f(): number { return 'x'; }",
      "return f() + n.length;",
    ].join("\n");
    expect(checker.check(code).map(({ code, start }) => ({ code, start }))).toEqual([
      { code: 2322, start: { line: 4, column: 23 } },
    ]);
  });

  it("keeps columns after a bare return on the same line", () => {
    const [found] = checker.check("if (args) { return } const z: number = 'z';");
    expect(found?.start).toEqual({ line: 1, column: 27 });
  });

  it("knows the Workers globals", () => {
    expect(
      checker.check("await scheduler.wait(1);\nreturn new URL('https://a.test').host + crypto.randomUUID();"),
    ).toEqual([]);
  });

  it("keeps snippets apart: a declaration in one check is not visible in the next", () => {
    expect(checker.check("const shared = 1;\nreturn shared;")).toEqual([]);
    expect(checker.check("return shared;").map((d) => d.code)).toEqual([2304]);
  });

  it("checks modules as they are", () => {
    expect(checker.check("export default function (a: number): string { return a; }").map((d) => d.code)).toEqual([
      2322,
    ]);
  });
});
