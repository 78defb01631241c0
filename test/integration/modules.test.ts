/** Multi-file requests (docs/api.md, `modules`): relative imports, per-file error locations, WebAssembly. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import wabt from "wabt";
import { execute, post } from "./client";

const FIXTURES = join(import.meta.dirname, "../../fixtures/wasm");
let addWasm = "";
let stringsWasm = "";

beforeAll(async () => {
  const tools = await wabt();
  const build = (name: string) => {
    const module = tools.parseWat(`${name}.wat`, readFileSync(join(FIXTURES, `${name}.wat`), "utf8"));
    const { buffer } = module.toBinary({});
    module.destroy();
    return Buffer.from(buffer).toString("base64");
  };
  addWasm = build("add");
  stringsWasm = build("strings");
});

const MATH = "export function double(n: number): number {\n  return n * 2;\n}\n";

describe("source modules", () => {
  it("runs a TypeScript main module importing another file", async () => {
    const execution = await execute({
      modules: {
        "index.ts": 'import { double } from "./lib/math.ts";\nconst n: number = 21;\nreturn double(n);',
        "lib/math.ts": MATH,
      },
    });
    expect(execution.error).toBeUndefined();
    expect(execution.result).toBe(42);
  });

  it("resolves extensionless imports, JSON, and `mainModule`", async () => {
    const execution = await execute({
      mainModule: "src/main.js",
      modules: {
        "src/main.js":
          'import { double } from "../lib/math";\nimport data from "../data.json";\nreturn double(data.n);',
        "lib/math.ts": MATH,
        "data.json": '{"n": 5}',
      },
    });
    expect(execution.error).toBeUndefined();
    expect(execution.result).toBe(10);
  });

  it("locates a runtime error in an imported file by file, line and column", async () => {
    const execution = await execute({
      modules: {
        "index.ts": 'import { fail } from "./lib/math";\nreturn fail();',
        "lib/math.ts": "// helpers\nexport function fail(): never {\n  throw new Error('broken');\n}\n",
      },
    });
    expect(execution.error).toMatchObject({ kind: "runtime", message: "broken", file: "lib/math.ts", line: 3 });
    expect(execution.error?.frame).toContain("> 3 |");
    expect(execution.error?.stack).toContain("lib/math.ts:3:");
  });

  it("locates a runtime error in the main module with its file name", async () => {
    const execution = await execute({
      modules: { "index.js": 'import "./lib/noop.js";\n\nthrow new Error("here");', "lib/noop.js": "" },
    });
    expect(execution.error).toMatchObject({ kind: "runtime", file: "index.js", line: 3 });
  });

  it("names a non-main file with a syntax error", async () => {
    const execution = await execute({
      modules: {
        "index.ts": 'import { x } from "./lib/bad";\nreturn x;',
        "lib/bad.ts": "export const x = 1;\nconst = 2;\n",
      },
    });
    expect(execution.error).toMatchObject({ kind: "syntax", file: "lib/bad.ts", line: 2 });
  });

  it("names an import that matches no submitted file", async () => {
    const execution = await execute({ modules: { "index.ts": 'import { x } from "./missing";\nreturn x;' } });
    expect(execution.error).toMatchObject({ kind: "syntax", file: "index.ts", line: 1 });
    expect(execution.error?.message).toContain('"./missing"');
  });

  it("times out a loop in an imported file instead of hanging", async () => {
    const execution = await execute({
      timeoutMs: 500,
      modules: {
        "index.ts": 'import { spin } from "./lib/spin";\nreturn spin();',
        "lib/spin.ts": "export function spin() {\n  while (true) {}\n}\n",
      },
    });
    expect(execution.error?.kind).toBe("timeout");
  });

  it("times out a loop at the top level of an imported file", async () => {
    const execution = await execute({
      timeoutMs: 500,
      modules: { "index.ts": 'import "./lib/spin";\nreturn 1;', "lib/spin.ts": "for (;;) {}\n" },
    });
    expect(execution.error?.kind, JSON.stringify(execution.error)).toBe("timeout");
  });

  it("keeps imported files on the run's tick even when they shadow `globalThis`", async () => {
    const execution = await execute({
      timeoutMs: 500,
      modules: {
        "index.ts": 'import "./lib/pollute";\nimport { spin } from "./lib/spin";\nreturn spin();',
        "lib/pollute.ts": "(Function.prototype as any).__functions_do_tick = () => 0;\n",
        "lib/spin.ts": "function globalThis() {}\nexport function spin() {\n  while (true) {}\n}\n",
      },
    });
    expect(execution.error?.kind).toBe("timeout");
  });

  it("gives different ids to different files", async () => {
    const one = await execute({
      modules: { "index.ts": 'import { double } from "./m";\nreturn double(1);', "m.ts": MATH },
    });
    const two = await execute({
      modules: { "index.ts": 'import { double } from "./m";\nreturn double(1);', "m.ts": MATH.replace("2", "3") },
    });
    expect([one.result, two.result]).toEqual([2, 3]);
    expect(one.id).not.toBe(two.id);
  });

  it.each([
    [{ code: "return 1", modules: { "index.ts": "return 1" } }, "not both"],
    [{ modules: { "main.ts": "return 1" } }, "`mainModule` is required"],
    [{ modules: { "index.ts": "return 1", "../x.ts": "" } }, "escapes the root"],
    [{ modules: { "/abs.ts": "return 1" } }, "must be relative"],
    [{ modules: { "index.ts": "return 1", "a.py": "" } }, "must end with one of"],
    [{ modules: { "index.ts": "return 1" }, mainModule: "other.ts" }, "not one of the files"],
    [{ modules: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}.ts`, ""])) }, "the limit is 100"],
  ])("refuses a malformed modules request with a 400 (%#)", async (request, message) => {
    const { status, json } = await post(JSON.stringify(request));
    expect(status).toBe(400);
    expect((json as { error: { message: string } }).error.message).toContain(message);
  });
});

describe("WebAssembly modules", () => {
  it("instantiates an imported .wasm module: add(2, 3) = 5", async () => {
    const execution = await execute({
      modules: {
        "index.ts":
          'import mod from "./add.wasm";\nconst { exports } = await WebAssembly.instantiate(mod, {});\nreturn (exports.add as (a: number, b: number) => number)(2, 3);',
        "add.wasm": addWasm,
      },
    });
    expect(execution.error).toBeUndefined();
    expect(execution.result).toBe(5);
  });

  it("round-trips a string through exported memory", async () => {
    const execution = await execute({
      modules: {
        "index.js": [
          'import mod from "./wasm/strings.wasm";',
          "const { exports } = await WebAssembly.instantiate(mod);",
          'const input = new TextEncoder().encode("hello wasm");',
          "new Uint8Array(exports.memory.buffer, 16, input.length).set(input);",
          "exports.upper_reverse(16, input.length);",
          "return new TextDecoder().decode(new Uint8Array(exports.memory.buffer, 16, input.length));",
        ].join("\n"),
        "wasm/strings.wasm": stringsWasm,
      },
    });
    expect(execution.error).toBeUndefined();
    expect(execution.result).toBe("MSAW OLLEH");
  });

  it("reports an invalid .wasm as a syntax error naming the file", async () => {
    const execution = await execute({
      modules: {
        "index.ts": 'import mod from "./bad.wasm";\nreturn 1;',
        "bad.wasm": Buffer.from("(module)").toString("base64"),
      },
    });
    expect(execution.error).toMatchObject({ kind: "syntax", file: "bad.wasm" });
    expect(execution.error?.message).toContain("bad.wasm");
    const truncated = Buffer.from(addWasm, "base64").subarray(0, 20).toString("base64");
    const second = await execute({ modules: { "index.ts": "return 1;", "bad.wasm": truncated } });
    expect(second.error).toMatchObject({ kind: "syntax", file: "bad.wasm" });
  });

  it("refuses a 30 MB .wasm with a clear 413", async () => {
    const big = Buffer.alloc(30 * 1024 * 1024).toString("base64");
    const { status, json } = await post(JSON.stringify({ modules: { "index.ts": "return 1", "big.wasm": big } }));
    expect(status).toBe(413);
    expect((json as { error: { message: string } }).error.message).toMatch(/limit is \d+ bytes/);
  });

  it("warns about a 6 MB .wasm and still runs it", async () => {
    // A valid module padded with a 6 MB custom section.
    const add = Buffer.from(addWasm, "base64");
    const payload = 6 * 1024 * 1024;
    const name = Buffer.from([3, 0x70, 0x61, 0x64]); // "pad"
    const size = leb128(name.length + payload);
    const section = Buffer.concat([Buffer.from([0]), size, name, Buffer.alloc(payload)]);
    const big = Buffer.concat([add, section]).toString("base64");
    const { status, json } = await post(
      JSON.stringify({
        modules: {
          "index.ts":
            'import mod from "./add.wasm";\nconst { exports } = await WebAssembly.instantiate(mod);\nreturn (exports.add as any)(1, 1);',
          "add.wasm": big,
        },
      }),
    );
    expect(status, JSON.stringify(json).slice(0, 500)).toBe(200);
    const execution = json as { result: unknown; warnings?: string[] };
    expect(execution.result).toBe(2);
    expect(execution.warnings?.[0]).toContain("add.wasm");
  });
});

function leb128(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return Buffer.from(bytes);
}
