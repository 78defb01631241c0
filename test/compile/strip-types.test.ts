import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/compile/parse";
import { PositionTrace } from "../../src/compile/positions";
import { leadingImportsEnd, stripTypes } from "../../src/compile/strip-types";

async function strip(code: string) {
  const result = await stripTypes(code);
  if (!result.ok) throw new Error(`unexpected diagnostics: ${JSON.stringify(result.diagnostics)}`);
  return result.value;
}

/** "message (line:column)" with a 1-based column, located in the input. */
async function firstError(code: string): Promise<string | undefined> {
  const result = await stripTypes(code);
  if (result.ok) return undefined;
  const [diagnostic] = result.diagnostics;
  return `${diagnostic?.message} (${diagnostic?.position?.line}:${(diagnostic?.position?.column ?? -1) + 1})`;
}

describe("stripTypes", () => {
  it("passes JavaScript through untouched, with its parsed program", async () => {
    const result = await strip("const a = 1;\nreturn a + 1");
    expect(result.code).toBe("const a = 1;\nreturn a + 1");
    expect(result.steps).toEqual([]);
    expect(result.program?.body).toHaveLength(2);
  });

  it("erases erasable types in place, without a source map", async () => {
    const result = await strip("const a: number = 1;\ninterface P { x: number }\na as number");
    expect(result.code).toBe("const a         = 1;\n;                        \na          ");
    expect(result.steps).toEqual([]);
  });

  it("strips what cannot be erased with a single esbuild transform", async () => {
    const result = await strip("enum E { A }\nconst a: number = E.A;\na");
    expect(result.code).toContain('E2[E2["A"] = 0] = "A"');
    expect(result.steps).toHaveLength(1);
  });

  it("strips a module that both awaits and returns at the top level", async () => {
    const result = await strip("const n: number = await Promise.resolve(2);\nreturn n * 2");
    expect(result.code).toContain("await Promise.resolve(2)");
    expect(result.code).toContain("return n * 2");
    expect(result.code).not.toContain("__fx_body");
    expect(parseProgram(result.code).ok).toBe(true);
  });

  it("keeps leading imports at the top level when it wraps the body", async () => {
    const result = await strip('import { $ } from "functions.do";\nconst t: number = $.ctx.timeoutMs;\nreturn t');
    const program = parseProgram(result.code);
    expect(program.ok && program.value.body[0]?.type).toBe("ImportDeclaration");
    expect(result.code).toContain("return t");
  });

  it("drops imports used only as types, as TypeScript does", async () => {
    const result = await strip(
      'import type { Runtime } from "functions.do";\nconst r: Runtime | null = null;\nreturn r',
    );
    expect(result.code).not.toContain("functions.do");
  });

  it("traces positions in the output back to the TypeScript input", async () => {
    const input = "const a: number = 1;\nconst b: string = 'x';\nawait null;\nreturn b.missing.call()";
    const result = await strip(input);
    const offset = result.code.indexOf("missing");
    const before = result.code.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n") - 1;
    expect(new PositionTrace(result.steps).toSource({ line, column })).toEqual({ line: 4, column: 9 });
  });

  it.each([
    ["const a: = 1", 'Unexpected "=" (1:10)'],
    ["const a = 1;\nconst b: number = ;", 'Unexpected ";" (2:19)'],
    ["await 1;\nreturn 1;\nconst x: = 2", 'Unexpected "=" (3:10)'],
    ["import { a } from 'x';\nreturn a;\nlet = ;", 'Unexpected ";" (3:7)'],
    ["function f(a: number { return a }", 'Expected ")" but found "{" (1:22)'],
    ["return 1; }); globalThis.x = 1; (async () => {", 'Unexpected "}" (1:11)'],
  ])("rejects %j with %s", async (code, expected) => {
    expect(await firstError(code)).toBe(expected);
  });

  it("runs TypeScript-only constructs: enums, namespaces, parameter properties", async () => {
    const result = await strip(
      "enum E { A = 1, B }\nnamespace N { export const x = 1 }\nclass P { constructor(public y: number) {} }\nE.B + N.x + new P(1).y",
    );
    expect(parseProgram(result.code).ok).toBe(true);
    expect(result.code).toContain("this.y = y");
  });
});

describe("leadingImportsEnd", () => {
  it.each([
    ["return 1", ""],
    ['import a from "a";\nreturn a', 'import a from "a";'],
    ['import "side";import { b as c } from "b"\nconst x: number = 1', 'import "side";import { b as c } from "b"'],
    [
      'import * as ns from "ns";\nimport type { T } from "t";\nlet q: T',
      'import * as ns from "ns";\nimport type { T } from "t";',
    ],
    [
      'import data from "./d.json" with { type: "json" };\nreturn data',
      'import data from "./d.json" with { type: "json" };',
    ],
    ['import("dyn");\nreturn 1', ""],
    ["import.meta.url", ""],
    ["// a comment\nimport a from 'a'\nreturn a", "// a comment\nimport a from 'a'"],
  ])("finds where the imports of %j end", (code, imports) => {
    expect(code.slice(0, leadingImportsEnd(code))).toBe(imports);
  });
});

describe("stripTypes keeps a last expression esbuild would drop", () => {
  it.each(["-1", "!0", "NaN", "void 0", "-1;"])("keeps %j as the last statement", async (tail) => {
    const result = await strip(`enum E { A }\nlet a: number = 1;\n${tail}`);
    const program = parseProgram(result.code);
    expect(program.ok && program.value.body.at(-1)?.type).toBe("ExpressionStatement");
  });

  it("does not repeat a line that belongs to the statement before it", async () => {
    const result = await strip("enum E { A }\nconst b = E.A\n-1");
    expect(result.code.trim().endsWith("const b = 0 /* A */ - 1;")).toBe(true);
  });

  it("reports columns in characters, not in UTF-8 bytes", async () => {
    expect(await firstError("const s: string = 'é';\nconst t: = 1")).toBe('Unexpected "=" (2:10)');
    expect(await firstError("'é'+")).toBe("Unexpected end of file (1:5)");
  });
});

describe("stripTypes keeps dropped last expressions only when they stand alone", () => {
  it("keeps `undefined?.x()`", async () => {
    const result = await strip("enum E { A }\nundefined?.x()");
    expect(result.code.trim().split("\n").at(-1)).toBe("undefined?.x()");
  });

  it("does not append the second line of a statement split over two lines", async () => {
    const result = await strip("enum E { A }\n-\n1");
    expect(result.code).not.toContain("\n1\n");
  });
});
