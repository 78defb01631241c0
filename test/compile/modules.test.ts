/** Multi-file requests: path rules, relative resolution, `modules` validation and compiling several files. */

import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, MODULE_LIMITS } from "../../shared/limits";
import { compileUnit } from "../../src/compile";
import { normalizePath, resolveFile } from "../../src/compile/files";
import { unitId } from "../../src/compile/hash";
import type { SubmittedModules } from "../../src/compile/input";
import { parseModules } from "../../src/invoke/modules";

const ADD_WASM = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1,
  7, 0, 32, 0, 32, 1, 106, 11,
]);

describe("normalizePath", () => {
  it.each([
    ["index.ts", "index.ts"],
    ["./lib/util.ts", "lib/util.ts"],
    ["lib/../util.js", "util.js"],
    ["a//b.mjs", "a/b.mjs"],
    ["add.wasm", "add.wasm"],
  ])("normalises %s", (path, expected) => {
    expect(normalizePath(path)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ["", "empty"],
    ["/etc/passwd.js", "relative"],
    ["C:/x.ts", "relative"],
    ["a\\b.ts", "relative"],
    ["../x.ts", "escapes the root"],
    ["lib/../../x.ts", "escapes the root"],
    ["x.py", "must end with"],
    ["x.ts\n", "control character"],
  ])("refuses %j", (path, reason) => {
    const result = normalizePath(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("resolveFile", () => {
  const modules: SubmittedModules = {
    main: "index.ts",
    sources: { "lib/math.ts": "", "lib/index.js": "", "data.json": "{}", "lib/deep/x.mjs": "" },
    wasm: { "add.wasm": new Uint8Array() },
  };
  it.each([
    ["index.ts", "./lib/math.ts", "lib/math.ts"],
    ["index.ts", "./lib/math", "lib/math.ts"],
    ["index.ts", "./lib/math.js", "lib/math.ts"],
    ["index.ts", "./lib", "lib/index.js"],
    ["index.ts", "./data.json", "data.json"],
    ["index.ts", "./add.wasm", "add.wasm"],
    ["lib/deep/x.mjs", "../math", "lib/math.ts"],
    ["lib/deep/x.mjs", "../../add.wasm", "add.wasm"],
  ])("from %s, %s is %s", (importer, specifier, expected) => {
    expect(resolveFile(importer, specifier, modules)).toBe(expected);
  });

  it.each([
    ["index.ts", "./missing"],
    ["index.ts", "../lib/math.ts"],
    ["index.ts", "./constructor"],
  ])("from %s, %s is nothing", (importer, specifier) => {
    expect(resolveFile(importer, specifier, modules)).toBeUndefined();
  });
});

describe("parseModules", () => {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

  it("splits the main module from the other files and decodes WebAssembly", () => {
    const parsed = parseModules(
      { "index.ts": "return 1", "./lib/a.ts": "", "add.wasm": base64(ADD_WASM) },
      undefined,
      DEFAULT_LIMITS,
    );
    expect(parsed.code).toBe("return 1");
    expect(parsed.modules.main).toBe("index.ts");
    expect(Object.keys(parsed.modules.sources)).toEqual(["lib/a.ts"]);
    expect(parsed.modules.wasm["add.wasm"]).toEqual(ADD_WASM);
    expect(parsed.warnings).toEqual([]);
  });

  it("falls back to index.js and honours mainModule", () => {
    expect(parseModules({ "index.js": "1" }, undefined, DEFAULT_LIMITS).modules.main).toBe("index.js");
    expect(parseModules({ "a/b.mjs": "1" }, "./a/b.mjs", DEFAULT_LIMITS).modules.main).toBe("a/b.mjs");
  });

  it.each([
    [[], undefined, "must be an object"],
    [{}, undefined, "is empty"],
    [{ "main.ts": "" }, undefined, "`mainModule` is required"],
    [{ "index.ts": 1 }, undefined, "must be a string"],
    [{ "index.ts": "", "./index.ts": "" }, undefined, "twice"],
    [{ "index.ts": "", "d.json": "{}" }, "d.json", "must be a .ts, .js or .mjs"],
    [{ "index.ts": "", "a.wasm": "AGFzbQ==" }, "a.wasm", "must be a .ts, .js or .mjs"],
    [{ "index.ts": "", "a.wasm": "not base64!" }, undefined, "base64"],
    [{ "index.ts": "" }, 3, "must be a string"],
  ])("refuses %j (mainModule %j)", (modules, mainModule, message) => {
    expect(() => parseModules(modules, mainModule, DEFAULT_LIMITS)).toThrow(message);
  });

  it("counts every source file against codeBytes, and each .wasm against its own limits", () => {
    const limits = { ...DEFAULT_LIMITS, codeBytes: 10 };
    expect(() => parseModules({ "index.ts": "123456", "b.ts": "123456" }, undefined, limits)).toThrow(
      "the limit is 10 bytes",
    );
    const small = { ...MODULE_LIMITS, wasmBytes: 40, wasmWarnBytes: 20 };
    expect(() =>
      parseModules({ "index.ts": "", "a.wasm": base64(ADD_WASM) }, undefined, DEFAULT_LIMITS, small),
    ).toThrow("the limit is 40 bytes per file");
    const warned = { ...small, wasmBytes: 100 };
    expect(
      parseModules({ "index.ts": "", "a.wasm": base64(ADD_WASM) }, undefined, DEFAULT_LIMITS, warned).warnings,
    ).toEqual([expect.stringContaining('"a.wasm" is 41 bytes')]);
  });
});

describe("compiling several files", () => {
  const compile = (modules: SubmittedModules, code: string) =>
    compileUnit("id", { code, language: modules.main.endsWith(".ts") ? "typescript" : "javascript", modules });

  it("bundles relative imports, keeps WebAssembly external and instruments imported loops", async () => {
    const result = await compile(
      {
        main: "index.ts",
        sources: { "lib/spin.ts": "export function spin(n: number) {\n  while (n--) {}\n}\n" },
        wasm: { "add.wasm": ADD_WASM },
      },
      'import { spin } from "./lib/spin";\nimport mod from "./add.wasm";\nspin(3);\nreturn mod;',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.unit.code).toContain('from "./add.wasm"');
    expect(result.unit.code).toContain("__functions_do_tick");
    expect(result.unit.code).toMatch(/while \(n--\) \{\s*if \(\+\+/);
    expect(result.unit.files?.wasm["add.wasm"]).toEqual(ADD_WASM);
  });

  it("names the file with a syntax error, located in that file", async () => {
    const result = await compile(
      { main: "index.ts", sources: { "lib/bad.ts": "export const a = 1;\nconst = 2;" }, wasm: {} },
      'import { a } from "./lib/bad";\nreturn a;',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics[0]).toMatchObject({ file: "lib/bad.ts", position: { line: 2 } });
  });

  it("refuses invalid WebAssembly, naming the file", async () => {
    const result = await compile(
      { main: "index.js", sources: {}, wasm: { "x.wasm": ADD_WASM.slice(0, 12) } },
      "return 1",
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics[0]).toMatchObject({ file: "x.wasm" });
  });

  it("refuses a relative import that matches no file", async () => {
    const result = await compile({ main: "index.js", sources: {}, wasm: {} }, 'import x from "./nope";\nreturn x;');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics[0]?.message).toContain('"./nope"');
  });

  it("gives an id that covers every file, WebAssembly bytes included", async () => {
    const key = (wasm: Uint8Array, text = "") => ({
      code: "return 1",
      language: "javascript",
      network: "none" as const,
      build: "b",
      modules: { main: "index.js", sources: { "a.js": text }, wasm: { "a.wasm": wasm } },
    });
    const ids = await Promise.all([
      unitId(key(ADD_WASM)),
      unitId(key(ADD_WASM.map((byte, index) => (index === 40 ? 0 : byte)))),
      unitId(key(ADD_WASM, "x")),
      unitId({ ...key(ADD_WASM), modules: undefined }),
    ]);
    expect(new Set(ids).size).toBe(4);
  });
});
