import { describe, expect, it } from "vitest";
import { type CompileResult, Compiler, compileUnit } from "../../src/compile";
import type { CompileInput } from "../../src/compile/input";
import { parseResult, serializeResult, TieredStore, type UnitStore } from "../../src/compile/store";

/** An in-memory store that keeps results only as the JSON text a real store would hold. */
class TextStore implements UnitStore {
  readonly texts = new Map<string, string>();
  gets = 0;
  puts = 0;

  async get(id: string): Promise<CompileResult | undefined> {
    this.gets++;
    const text = this.texts.get(id);
    return text === undefined ? undefined : parseResult(text);
  }

  async put(id: string, result: CompileResult): Promise<void> {
    this.puts++;
    this.texts.set(id, serializeResult(result));
  }
}

// (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
const ADD_WASM = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1,
  7, 0, 32, 0, 32, 1, 106, 11,
]);

const network = "none" as const;

async function roundTrip(input: CompileInput): Promise<[CompileResult, CompileResult]> {
  const result = await compileUnit("id", input);
  const restored = parseResult(serializeResult(result));
  if (!restored) throw new Error("not restored");
  return [result, restored];
}

describe("serializeResult / parseResult", () => {
  it("keeps a unit's code and traces positions back exactly as the original does", async () => {
    const [result, restored] = await roundTrip({
      code: "Here:\n```ts\nconst n: number = 1;\nenum E { A }\nthrow new Error(String(n + E.A));\n```",
      language: "typescript",
    });
    if (!result.ok || !restored.ok) throw new Error("did not compile");
    expect(restored.unit.code).toBe(result.unit.code);
    expect({ ...restored.unit, trace: undefined }).toEqual({ ...result.unit, trace: undefined });
    const lines = result.unit.code.split("\n").length;
    let mapped = 0;
    for (let line = 1; line <= lines; line++) {
      for (const column of [0, 4, 10, 20]) {
        const original = result.unit.trace.toSource({ line, column });
        if (original) mapped++;
        expect(restored.unit.trace.toSource({ line, column })).toEqual(original);
      }
    }
    expect(mapped).toBeGreaterThan(3);
  });

  it("keeps a multi-file unit's files, WebAssembly bytes and per-file traces", async () => {
    const [result, restored] = await roundTrip({
      code: 'import { f } from "./lib.js";\nimport add from "./add.wasm";\nreturn f(add)',
      language: "javascript",
      modules: {
        main: "index.js",
        sources: { "lib.js": "export function f(m) {\n  throw new Error(String(m));\n}" },
        wasm: { "add.wasm": ADD_WASM },
      },
    });
    if (!result.ok || !restored.ok) throw new Error("did not compile");
    expect(restored.unit.files?.wasm["add.wasm"]).toEqual(ADD_WASM);
    expect(restored.unit.files?.sources).toEqual(result.unit.files?.sources);
    const lines = result.unit.code.split("\n");
    const throwLine = lines.findIndex((line) => line.includes("throw new Error")) + 1;
    const column = lines[throwLine - 1]?.indexOf("throw") ?? 0;
    const original = result.unit.trace.toSource({ line: throwLine, column });
    expect(original).toMatchObject({ file: "lib.js", line: 2 });
    expect(restored.unit.trace.toSource({ line: throwLine, column })).toEqual(original);
  });

  it("keeps a failure's diagnostics", async () => {
    const [result, restored] = await roundTrip({ code: "const = 1", language: "javascript" });
    expect(result.ok).toBe(false);
    expect(restored).toEqual(result);
  });

  it("ignores text of another format version", () => {
    expect(parseResult(JSON.stringify({ version: 0, result: { ok: false } }))).toBeUndefined();
  });
});

describe("Compiler with a second-level store", () => {
  it("serves another compiler (another isolate, or the next start) from the store without compiling", async () => {
    const store = new TextStore();
    const input = { code: "const n: number = 2;\nreturn n * 21", language: "typescript" } as const;
    const first = new Compiler({ cacheBytes: 1 << 20, build: "test", store });
    const compiled = await first.compile(input, network, { persist: true });
    await first.writing;
    expect(compiled.cached).toBe(false);
    expect(first.compilations).toBe(1);
    expect(store.puts).toBe(1);

    const second = new Compiler({ cacheBytes: 1 << 20, build: "test", store });
    const loaded = await second.compile(input, network);
    expect(loaded.cached).toBe(true);
    expect(second.compilations).toBe(0);
    expect(loaded.ok && compiled.ok && loaded.unit.code === compiled.unit.code).toBe(true);

    // Then the first level answers: the store is not asked again.
    await second.compile(input, network);
    expect(store.gets).toBe(2);
  });

  it("runs 20 concurrent identical compiles as one: one store lookup, one compilation, one write", async () => {
    const store = new TextStore();
    const compiler = new Compiler({ cacheBytes: 1 << 20, build: "test", store });
    const input = {
      code: "let total = 0;\nfor (let i = 0; i < 10; i++) total += i;\nreturn total",
      language: "javascript",
    } as const;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => compiler.compile(input, network, { persist: true })),
    );
    await compiler.writing;
    expect(new Set(results.map((result) => result.ok && result.unit.id)).size).toBe(1);
    expect(compiler.compilations).toBe(1);
    expect(store.gets).toBe(1);
    expect(store.puts).toBe(1);
  });

  it("writes a one-off unit only when it is asked for again, and then once", async () => {
    const store = new TextStore();
    const compiler = new Compiler({ cacheBytes: 1 << 20, build: "test", store });
    const input = { code: "return 6 * 7", language: "javascript" } as const;
    await compiler.compile(input, network);
    await compiler.writing;
    expect(store.gets).toBe(1);
    expect(store.puts).toBe(0);
    const again = await compiler.compile(input, network);
    await compiler.writing;
    expect(again.cached).toBe(true);
    expect(store.puts).toBe(1);
    await compiler.compile(input, network);
    await compiler.writing;
    expect(store.puts).toBe(1);
    expect(store.gets).toBe(1);
  });

  it("treats a failing store as a miss, and the compile still succeeds", async () => {
    const broken: UnitStore = {
      get: () => Promise.reject(new Error("store down")),
      put: () => Promise.reject(new Error("store down")),
    };
    const compiler = new Compiler({ cacheBytes: 1 << 20, build: "test", store: broken });
    const result = await compiler.compile({ code: "return 1", language: "javascript" }, network);
    expect(result).toMatchObject({ ok: true, cached: false });
  });
});

describe("TieredStore", () => {
  const input = { code: "return 'tiered'", language: "javascript" } as const;

  it("reads the next store on a miss and copies the hit into the earlier one", async () => {
    const [near, far] = [new TextStore(), new TextStore()];
    const result = await compileUnit("unit", input);
    await far.put("unit", result);
    const tiered = new TieredStore(near, far);
    expect(await tiered.get("unit")).toEqual(parseResult(serializeResult(result)));
    expect(near.texts.get("unit")).toBe(far.texts.get("unit"));
    await tiered.get("unit");
    expect(far.gets).toBe(1);
  });

  it("treats a store that fails as a miss, and writes the others when one fails", async () => {
    const broken: UnitStore = {
      get: () => Promise.reject(new Error("cache down")),
      put: () => Promise.reject(new Error("cache down")),
    };
    const far = new TextStore();
    const tiered = new TieredStore(broken, far);
    const result = await compileUnit("unit", input);
    await tiered.put("unit", result);
    expect(far.puts).toBe(1);
    expect(await tiered.get("unit")).toEqual(parseResult(serializeResult(result)));
    await expect(new TieredStore(broken, broken).put("unit", result)).rejects.toThrow("cache down");
    expect(await new TieredStore(broken).get("unit")).toBeUndefined();
  });
});
