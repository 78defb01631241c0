import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tokenizer, tokTypes } from "acorn";
import { describe, expect, it } from "vitest";
import { type CompileResult, Compiler, compileUnit } from "../../src/compile";
import { normalizeLineEndings } from "../../src/compile/fence";
import type { CompileInput, Language } from "../../src/compile/input";

const FIXTURES = join(import.meta.dirname, "../../fixtures/compile");
const cases = readdirSync(FIXTURES).sort();

function readCase(name: string): CompileInput {
  const meta = JSON.parse(readFileSync(join(FIXTURES, name, "case.json"), "utf8")) as { language: Language };
  return { code: readFileSync(join(FIXTURES, name, "input.txt"), "utf8"), language: meta.language };
}

/** What a result says, without the unit's text (kept in its own golden file). */
function summary(result: CompileResult): unknown {
  if (!result.ok) return { ok: false, language: result.language, diagnostics: result.diagnostics };
  return { ok: true, kind: result.unit.kind, mode: result.unit.mode, language: result.unit.language };
}

describe("compileUnit on fixtures/compile", () => {
  it.each(cases)("%s matches its golden output", async (name) => {
    const result = await compileUnit("fixture", readCase(name));
    await expect(`${JSON.stringify(summary(result), null, 2)}\n`).toMatchFileSnapshot(
      join(FIXTURES, name, "result.json"),
    );
    if (result.ok) await expect(result.unit.code).toMatchFileSnapshot(join(FIXTURES, name, "unit.js"));
  });

  it.each(cases)("%s: every traced position lands on the same token in the submitted text", async (name) => {
    const input = readCase(name);
    const result = await compileUnit("fixture", input);
    if (!result.ok) return;
    const source = normalizeLineEndings(input.code).split("\n");
    let checked = 0;
    for (const token of tokenizer(result.unit.code, { ecmaVersion: "latest", sourceType: "module", locations: true })) {
      const value: unknown = (token as { value?: unknown }).value;
      if (token.type !== tokTypes.name || typeof value !== "string" || value.startsWith("$fx")) continue;
      const start = token.loc?.start;
      if (!start) continue;
      const traced = result.unit.trace.toSource({ line: start.line, column: start.column });
      if (!traced) continue;
      const line = source[traced.line - 1] ?? "";
      const text = line.slice(traced.column);
      // The bundler may rename a binding by adding a number (`$` → `$2`).
      const name = value.replace(/\d+$/, "");
      // esbuild maps TypeScript at statement granularity: there a token need only be on its line.
      const landed = input.language === "typescript" ? line.includes(name) : text.startsWith(name);
      expect(landed, `${value} at ${start.line}:${start.column} traced to "${text}"`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe("compileUnit diagnostics", () => {
  it.each([
    ["javascript", "const a = 1;\nconst b = ;", "Unexpected token", 2, 11],
    ["typescript", "const a: number = 1;\nconst b: = 2", 'Unexpected "="', 2, 10],
    ["typescript", "Sure:\n```ts\nconst a = 1;\nconst b: = 2\n```", 'Unexpected "="', 4, 10],
    ["javascript", "```js\nreturn 1;\n}\n```", "Unexpected token", 3, 1],
    ["typescript", "await 1;\r\nreturn 1;\r\nconst x: = 2", 'Unexpected "="', 3, 10],
    [
      "javascript",
      'return 1;\nimport a from "nope";',
      'Cannot find module "nope": only these modules can be imported: cheerio, cloudflare:workers, date-fns, dayjs, decimal.js, diff, fast-xml-parser, functions.do, lodash-es, marked, nanoid, papaparse, uuid, yaml, zod',
      2,
      15,
    ],
  ])("reports a %s error at its place in the submitted text", async (language, code, message, line, column) => {
    const result = await compileUnit("x", { code, language: language as Language });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const [diagnostic] = result.diagnostics;
    expect([diagnostic?.message, diagnostic?.position?.line, (diagnostic?.position?.column ?? -1) + 1]).toEqual([
      message,
      line,
      column,
    ]);
  });

  it("reads a ```ts fence as TypeScript even when JavaScript was asked for", async () => {
    const result = await compileUnit("x", {
      code: "```ts\nconst n: number = 1;\nreturn n\n```",
      language: "javascript",
    });
    expect(result.ok && result.unit.language).toBe("typescript");
  });
});

describe("compileUnit with allowlisted libraries", () => {
  const USER = 'import { z } from "zod";\nconst User = z.object({ name: z.string() });';

  it.each([
    ["statements", `${USER}\nreturn User.parse(args)`],
    ["expression", `${USER}\nUser.parse(args)`],
    ["function", `${USER}\n(args: unknown) => User.parse(args)`],
    ["module", `${USER}\nexport default (args: unknown) => User.parse(args)`],
  ])("leaves zod a module of its own, imported by the %s unit", async (kind, code) => {
    const result = await compileUnit("x", { code, language: "typescript" });
    expect(result.ok && { kind: result.unit.kind, libraries: result.unit.libraries }).toEqual({
      kind,
      libraries: ["zod"],
    });
    if (!result.ok) return;
    expect(result.unit.code).toContain('from "./libraries/zod.js"');
    expect(result.unit.code.length).toBeLessThan(2_000);
  });

  it("gives a unit that imports nothing no library", async () => {
    const result = await compileUnit("x", { code: "return 2 + 2", language: "javascript" });
    expect(result.ok && result.unit.libraries).toEqual([]);
    expect(result.ok && result.unit.code).not.toContain("libraries/");
  });

  it("bundles the service's own modules but not the libraries", async () => {
    const result = await compileUnit("x", {
      code: 'import { $ } from "functions.do";\nimport { z } from "zod";\nreturn [typeof $, z.string().parse("a")]',
      language: "javascript",
    });
    expect(result.ok && result.unit.libraries).toEqual(["zod"]);
    expect(result.ok && result.unit.code).not.toContain('"functions.do"');
  });
});

describe("Compiler", () => {
  const network = "none" as const;

  it("gives equal input an equal id, and different input a different one", async () => {
    const compiler = new Compiler({ cacheBytes: 1 << 20, build: "test" });
    const a = await compiler.compile({ code: "return 1", language: "javascript" }, network);
    const b = await new Compiler({ cacheBytes: 1 << 20, build: "test" }).compile(
      { code: "return 1", language: "javascript" },
      network,
    );
    const ids = new Set([
      a.ok && a.unit.id,
      (await compiler.compile({ code: "return 2", language: "javascript" }, network)).ok,
    ]);
    expect(a.ok && b.ok && a.unit.id === b.unit.id).toBe(true);
    expect(ids.size).toBe(2);
  });

  it.each([
    ["the code", { code: "return 1 ", language: "javascript" }, network, "test"],
    ["the language", { code: "return 1", language: "typescript" }, network, "test"],
    [
      "the network policy",
      { code: "return 1", language: "javascript" },
      { allow: ["example.com"] as string[] },
      "test",
    ],
    ["the build", { code: "return 1", language: "javascript" }, network, "other"],
  ] as const)("changes the id when %s changes", async (_what, input, policy, build) => {
    const base = await new Compiler({ cacheBytes: 1 << 20, build: "test" }).compile(
      { code: "return 1", language: "javascript" },
      network,
    );
    const changed = await new Compiler({ cacheBytes: 1 << 20, build }).compile(input, policy);
    const id = (result: typeof base) => (result.ok ? result.unit.id : result.id);
    expect(id(changed)).toMatch(/^[0-9a-f]{64}$/);
    expect(id(changed)).not.toBe(id(base));
  });

  it("serves a repeat from the cache, byte for byte", async () => {
    const compiler = new Compiler({ cacheBytes: 1 << 20, build: "test" });
    const input = { code: "const n: number = 2;\nreturn n", language: "typescript" } as const;
    const first = await compiler.compile(input, network);
    const second = await compiler.compile(input, network);
    expect([first.cached, second.cached]).toEqual([false, true]);
    expect(second.ok && first.ok && second.unit.code === first.unit.code).toBe(true);
  });

  it("caches failures too, so bad code is not compiled again", async () => {
    const compiler = new Compiler({ cacheBytes: 1 << 20, build: "test" });
    await compiler.compile({ code: "const = 1", language: "javascript" }, network);
    const again = await compiler.compile({ code: "const = 1", language: "javascript" }, network);
    expect([again.ok, again.cached]).toEqual([false, true]);
  });

  it("compiles once for many concurrent identical requests", async () => {
    const compiler = new Compiler({ cacheBytes: 1 << 20, build: "test" });
    const input = { code: "const n: number = await 1;\nreturn n", language: "typescript" } as const;
    const results = await Promise.all(Array.from({ length: 20 }, () => compiler.compile(input, network)));
    // One unit object for all: a second compilation would have made another. Requests that
    // arrive after it finished are served from the cache.
    const units = new Set(results.map((result) => (result.ok ? result.unit : undefined)));
    expect(units.size).toBe(1);
    expect(results[0]?.cached).toBe(false);
  });

  it("stays within its byte budget however many distinct snippets it sees", async () => {
    const compiler = new Compiler({ cacheBytes: 64 * 1024, build: "test" });
    for (let index = 0; index < 300; index++) {
      await compiler.compile({ code: `return ${index} + args.n`, language: "javascript" }, network);
    }
    const stats = compiler.cacheStats;
    expect(stats.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.entries).toBeGreaterThan(0);
    expect(stats.entries).toBeLessThan(300);
  });
});
