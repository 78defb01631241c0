import { parse } from "acorn";
import { describe, expect, it } from "vitest";
import { eraseTypes } from "../../src/compile/erase-types";
import { loadEsbuild } from "../../src/compile/esbuild";

function erased(code: string): string | undefined {
  return eraseTypes(code)?.code;
}

/** The program without positions and raw text: what it means, not how it is written. */
function meaning(code: string): unknown {
  const strip = (value: unknown): unknown => {
    // Erased statements leave an empty `;` behind; esbuild leaves nothing.
    if (Array.isArray(value)) return value.filter((item) => item?.type !== "EmptyStatement").map(strip);
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value).filter(([key]) => !["start", "end", "loc", "raw", "range"].includes(key));
    return Object.fromEntries(entries.map(([key, item]) => [key, strip(item)]));
  };
  return strip(parse(code, { ecmaVersion: "latest", sourceType: "module", allowReturnOutsideFunction: true }));
}

const ERASABLE = [
  "const a: number = 1;\nlet b: string | null = null;\nconst c = a as number;\nreturn [a, b, c]",
  "interface User { id: number; name?: string }\nconst users: User[] = [];\nusers",
  "type Pair<T> = [T, T];\nfunction swap<T>([a, b]: Pair<T>): Pair<T> { return [b, a] }\nswap<number>([1, 2])",
  "const p = { x: 1 } satisfies Record<string, number>;\np.x!",
  "const xs = <const>['a', 'b'];\nxs",
  "class Box<T> implements Iterable<T> {\n  private readonly items: T[] = [];\n  static count?: number;\n  value!: T;\n  add(item: T): this { this.items.push(item); return this }\n  *[Symbol.iterator](): Iterator<T> { yield* this.items }\n}\nnew Box<number>().add(1)",
  "import type { Runtime } from 'functions.do';\nexport type { Runtime };\nconst r: Runtime | null = null;\nr",
  "declare const injected: number;\ndeclare function helper(x: number): string;\nfunction f(x?: number, ...rest: string[]): void {}\nf()",
  "export default async (args: { n: number }): Promise<number> => args.n * 2",
  "const f = <T,>(value: T): T[] => [value];\nf(1)",
  "abstract class Shape { area(): number { return 0 } }\nclass Square extends Shape { side = 2 }\nnew Square().area()",
  "function isString(x: unknown): x is string { return typeof x === 'string' }\nisString('a')",
  "try { throw 1 } catch (e: unknown) { e }",
  "let total!: number;\ntotal = 3;\nfor (const n of [1, 2] as number[]) total += n;\ntotal",
];

describe("eraseTypes", () => {
  it.each(ERASABLE)("erases the types of %j in place, keeping every position", (code) => {
    const output = erased(code);
    expect(output).toBeDefined();
    expect(output?.length).toBe(code.length);
    expect(output?.split("\n").map((line) => line.length)).toEqual(code.split("\n").map((line) => line.length));
  });

  it.each(ERASABLE)("means what esbuild's output means: %j", async (code) => {
    const esbuild = await loadEsbuild();
    const reference = await esbuild.transform(code, { loader: "ts", target: "esnext", logLevel: "silent" });
    expect(meaning(erased(code) ?? "")).toEqual(meaning(reference.code));
  });

  it.each([
    ["an enum", "enum Color { Red }\nColor.Red"],
    ["a namespace", "namespace N { export const x = 1 }\nN.x"],
    ["a parameter property", "class P { constructor(public x: number) {} }"],
    ["a decorator", "function d(...a: unknown[]) {}\n@d class C {}"],
    ["a value import TypeScript may elide", "import { $ } from 'functions.do';\nconst r: typeof $ = $;\nr"],
    ["a return type across lines before =>", "const f = (): {\n  a: number\n} => ({ a: 1 });\nf()"],
    ["a type assertion across lines after return", "function g() { return <\n number>\n 1 }"],
    ["a this parameter", "function h(this: Window, x: number) { return x }"],
    ["a syntax error", "const a: = 1"],
  ])("leaves %s to esbuild", (_what, code) => {
    expect(eraseTypes(code)).toBeUndefined();
  });

  it("keeps erased statements apart with a semicolon", () => {
    expect(erased("const a = 1\ninterface I {}\n(a)")).toBe("const a = 1\n;             \n(a)");
  });
});
