import { describe, expect, it } from "vitest";
import { parseProgram } from "../../src/compile/parse";
import { resolveImports } from "../../src/compile/resolve";
import { decideShape } from "../../src/compile/shape";

function resolve(code: string) {
  const parsed = parseProgram(code);
  if (!parsed.ok) throw new Error("does not parse");
  return resolveImports(code, decideShape(parsed.value).requests);
}

describe("resolveImports", () => {
  it("accepts the modules the service provides", () => {
    expect(resolve('import { $ } from "functions.do";\nreturn $')).toEqual({ ok: true, value: ["functions.do"] });
  });

  it("accepts RpcTarget and WorkerEntrypoint from cloudflare:workers, and nothing else of it", () => {
    expect(resolve('import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";')).toEqual({
      ok: true,
      value: ["cloudflare:workers"],
    });
    const result = resolve('import { DurableObject } from "cloudflare:workers";');
    expect(result.ok ? [] : result.diagnostics.map((diagnostic) => [diagnostic.message, diagnostic.hint])).toEqual([
      ['Module "cloudflare:workers" has no export named "DurableObject"', "It exports: RpcTarget, WorkerEntrypoint."],
    ]);
  });

  it("accepts code without imports", () => {
    expect(resolve("return 1")).toEqual({ ok: true, value: [] });
  });

  it("rejects imports of unknown modules, naming the module and where it was asked for", () => {
    const result = resolve('const a = 1;\nimport x from "lodash";\nreturn x');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics).toEqual([
      {
        message:
          'Cannot find module "lodash": only these modules can be imported: cheerio, cloudflare:workers, date-fns, dayjs, decimal.js, diff, fast-xml-parser, functions.do, lodash-es, marked, nanoid, papaparse, uuid, yaml, zod',
        position: { line: 2, column: 14 },
        hint: "Import the service's modules, a package of the ready set (GET /types lists them), or an npm package by name where the operator's package policy allows it.",
      },
    ]);
  });

  it.each(["node:fs", "node:child_process", "cloudflare:sockets", "./unit.js", "./prelude.js", "https://esm.sh/zod"])(
    "refuses %s",
    (specifier) => {
      const result = resolve(`import ${JSON.stringify(specifier)};`);
      expect(result.ok ? [] : result.diagnostics.map((diagnostic) => diagnostic.message)).toEqual([
        `Cannot find module "${specifier}": only these modules can be imported: cheerio, cloudflare:workers, date-fns, dayjs, decimal.js, diff, fast-xml-parser, functions.do, lodash-es, marked, nanoid, papaparse, uuid, yaml, zod`,
      ]);
    },
  );

  it("refuses dynamic imports it cannot check", () => {
    const result = resolve("const name = 'x';\nawait import(name)");
    expect(result.ok ? undefined : result.diagnostics[0]?.message).toBe(
      "import() needs a string literal naming a provided module",
    );
  });

  it("reports every unknown module at once", () => {
    const result = resolve('import a from "a";\nimport b from "b";');
    expect(result.ok ? 0 : result.diagnostics.length).toBe(2);
  });
});

describe("resolveImports on imported names", () => {
  it("refuses a name the provided module does not export, located on the name", () => {
    const result = resolve('const a = 1;\nimport { $, nope } from "functions.do";');
    expect(result).toEqual({
      ok: false,
      diagnostics: [
        {
          message: 'Module "functions.do" has no export named "nope"',
          position: { line: 2, column: 12 },
          hint: "It exports: $.",
        },
      ],
    });
  });

  it("checks default imports and re-exported names too", () => {
    const result = resolve('import x from "functions.do";\nexport { y } from "functions.do";');
    expect(result.ok ? [] : result.diagnostics.map((diagnostic) => diagnostic.message)).toEqual([
      'Module "functions.do" has no export named "default"',
      'Module "functions.do" has no export named "y"',
    ]);
  });

  it("accepts namespace imports and exported names", () => {
    expect(resolve('import * as fd from "functions.do";\nimport { $ as runtime } from "functions.do";').ok).toBe(true);
  });
});

describe("resolveImports on the ready set", () => {
  it("accepts zod's named, default and namespace imports", () => {
    expect(resolve('import { z, ZodError } from "zod";\nreturn z.string()')).toEqual({ ok: true, value: ["zod"] });
    expect(resolve('import z from "zod";\nimport * as zod from "zod";').ok).toBe(true);
  });

  it("refuses a name zod does not export, located on the name", () => {
    const result = resolve('import { z, zed } from "zod";');
    expect(result.ok ? [] : result.diagnostics.map(({ message, position }) => [message, position])).toEqual([
      ['Module "zod" has no export named "zed"', { line: 1, column: 12 }],
    ]);
  });

  it("lists the service's modules and the ready set when a module is not among them", () => {
    const result = resolve('import { z } from "zod";\nimport chunk from "lodash/chunk";');
    expect(result.ok ? [] : result.diagnostics.map(({ message, position }) => [message, position])).toEqual([
      [
        'Cannot find module "lodash/chunk": only these modules can be imported: cheerio, cloudflare:workers, date-fns, dayjs, decimal.js, diff, fast-xml-parser, functions.do, lodash-es, marked, nanoid, papaparse, uuid, yaml, zod',
        { line: 2, column: 18 },
      ],
    ]);
  });

  it.each(["zod/package.json", "Zod", "zod/nothing"])("refuses %s, which is not in the ready set", (specifier) => {
    expect(resolve(`import ${JSON.stringify(specifier)};`).ok).toBe(false);
  });

  it.each([
    ["zod/mini", "zod/mini"],
    ["date-fns/format", "date-fns/format"],
    ["lodash-es/chunk", "lodash-es/chunk"],
    ["dayjs/plugin/utc", "dayjs/plugin/utc"],
  ])("accepts the subpath %s of a ready-set package", (specifier, resolved) => {
    expect(resolve(`import * as x from ${JSON.stringify(specifier)};\nreturn x`)).toEqual({
      ok: true,
      value: [resolved],
    });
  });
});
