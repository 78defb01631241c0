/**
 * Stored functions with several files (`modules`, as POST /execute takes them): stored in D1 with
 * a version id over every file, invoked and served at /fn/:name/* like one-file functions, and
 * read back with GET, WebAssembly as base64.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import wabt from "wabt";
import { baseUrl } from "./client";

const FIXTURES = join(import.meta.dirname, "../../fixtures/wasm");
let addWasm = new Uint8Array();

beforeAll(async () => {
  const tools = await wabt();
  const module = tools.parseWat("add.wat", readFileSync(join(FIXTURES, "add.wat"), "utf8"));
  addWasm = new Uint8Array(module.toBinary({}).buffer);
  module.destroy();
});

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  body: any;
}

async function send(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${baseUrl()}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

const ADD_MAIN =
  'import mod from "./add.wasm";\nimport { twice } from "./lib/twice";\nconst { exports } = await WebAssembly.instantiate(mod, {});\nreturn twice((exports.add as (a: number, b: number) => number)(args.a, args.b));';
const TWICE = "export const twice = (n: number): number => n * 2;\n";

describe("stored functions with modules", () => {
  it("stores TypeScript modules with a .wasm file and invokes them", async () => {
    const wasm = Buffer.from(addWasm).toString("base64");
    const stored = await send("POST", "/functions", {
      name: "wasm-add",
      modules: { "index.ts": ADD_MAIN, "lib/twice.ts": TWICE, "add.wasm": wasm },
    });
    expect(stored.status, JSON.stringify(stored.body)).toBe(201);
    expect(stored.body.version).toMatch(/^[0-9a-f]{64}$/);

    const invoked = await send("POST", "/functions/wasm-add/invoke", { args: { a: 2, b: 3 } });
    expect(invoked.status).toBe(200);
    expect(invoked.body).toMatchObject({ ok: true, result: 10 });

    const version = await send("GET", `/functions/wasm-add/versions/${stored.body.version}`);
    expect(version.status).toBe(200);
    expect(version.body).toMatchObject({
      name: "wasm-add",
      version: stored.body.version,
      language: "typescript",
      mainModule: "index.ts",
      modules: { "index.ts": ADD_MAIN, "lib/twice.ts": TWICE, "add.wasm": wasm },
    });
    expect(version.body.code).toBeUndefined();
    expect(version.body.bytes).toBe(Buffer.byteLength(ADD_MAIN) + Buffer.byteLength(TWICE) + addWasm.byteLength);
    const listed = await send("GET", "/functions/wasm-add");
    expect(listed.body.versions[0]).toMatchObject({ version: stored.body.version, mainModule: "index.ts" });
  });

  it("gives the same version to the same files and a new one when any file changes", async () => {
    const wasm = Buffer.from(addWasm).toString("base64");
    const modules = { "index.ts": ADD_MAIN, "lib/twice.ts": TWICE, "add.wasm": wasm };
    const first = await send("POST", "/functions", { name: "hashing", modules });
    const reordered = await send("POST", "/functions", {
      name: "hashing",
      modules: { "add.wasm": wasm, "lib/twice.ts": TWICE, "index.ts": ADD_MAIN },
    });
    expect([first.status, reordered.status]).toEqual([201, 200]);
    expect(reordered.body.version).toBe(first.body.version);

    const otherHelper = await send("POST", "/functions", {
      name: "hashing",
      modules: { ...modules, "lib/twice.ts": "export const twice = (n: number): number => n * 3;\n" },
    });
    expect(otherHelper.status).toBe(201);
    expect(otherHelper.body.version).not.toBe(first.body.version);
    const changedWasm = Buffer.concat([addWasm, Buffer.from([0, 2, 1, 0x78])]).toString("base64");
    const otherWasm = await send("POST", "/functions", {
      name: "hashing",
      modules: { ...modules, "add.wasm": changedWasm },
    });
    expect(otherWasm.status).toBe(201);
    expect(new Set([first.body.version, otherHelper.body.version, otherWasm.body.version]).size).toBe(3);

    // Each version keeps its own files.
    const old = await send("POST", `/functions/hashing/invoke?version=${first.body.version}`, { args: { a: 1, b: 1 } });
    const tripled = await send("POST", `/functions/hashing/invoke?version=${otherHelper.body.version}`, {
      args: { a: 1, b: 1 },
    });
    expect([old.body.result, tripled.body.result]).toEqual([4, 6]);
  });

  it("serves a multi-file fetch handler at /fn/:name/*", async () => {
    const stored = await send("POST", "/functions", {
      name: "routes",
      mainModule: "src/worker.js",
      modules: {
        "src/worker.js":
          'import { route } from "./router.js";\nimport config from "../config.json";\nexport default { fetch(request) { return Response.json({ ...route(new URL(request.url).pathname), app: config.app }) } }',
        "src/router.js": "export function route(path) { return { path, parts: path.split('/').filter(Boolean) } }",
        "config.json": '{"app": "demo"}',
      },
    });
    expect(stored.status, JSON.stringify(stored.body)).toBe(201);
    const response = await fetch(`${baseUrl()}/fn/routes/a/b`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: "/a/b", parts: ["a", "b"], app: "demo" });
    const version = await send("GET", `/functions/routes/versions/${stored.body.version}`);
    expect(version.body).toMatchObject({ language: "javascript", mainModule: "src/worker.js" });
  });

  it("locates a handler's error in the file it was thrown from", async () => {
    await send("POST", "/functions", {
      name: "deep-throw",
      modules: {
        "index.ts":
          'import { check } from "./check";\nexport default { fetch() { check(); return new Response("no") } }',
        "check.ts": "// checks\nexport function check(): void {\n  throw new TypeError('bad state');\n}\n",
      },
    });
    const response = await fetch(`${baseUrl()}/fn/deep-throw`);
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ name: "TypeError", message: "bad state", file: "check.ts", line: 3 });
  });

  it("validates modules as POST /execute does, storing nothing", async () => {
    const cases: [unknown, number, string][] = [
      [{ name: "bad-mods", modules: [] }, 400, "`modules` must be an object"],
      [{ name: "bad-mods", modules: { "../x.ts": "1" } }, 400, '"../x.ts"'],
      [{ name: "bad-mods", modules: { "lib.ts": "export {}" } }, 400, "`mainModule` is required"],
      [{ name: "bad-mods", code: "1", modules: { "index.ts": "1" } }, 400, "not both"],
      [{ name: "bad-mods", modules: { "index.ts": "return 1", "a.wasm": "!!" } }, 400, "base64"],
      [{ name: "bad-mods", modules: { "index.ts": 'import x from "./missing";\nreturn x' } }, 400, "does not compile"],
      [
        { name: "bad-mods", modules: { "index.ts": 'import m from "./bad.wasm";\nreturn 1', "bad.wasm": "AAAA" } },
        400,
        "bad.wasm",
      ],
    ];
    for (const [body, status, message] of cases) {
      const answer = await send("POST", "/functions", body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body.error.message).toContain(message);
    }
    expect((await send("GET", "/functions/bad-mods")).status).toBe(404);
  });

  it("refuses a .wasm over 25 MiB with a 413 naming the limit", async () => {
    const big = Buffer.alloc(26 * 1024 * 1024).toString("base64");
    const answer = await send("POST", "/functions", {
      name: "too-big",
      modules: { "index.ts": "return 1", "big.wasm": big },
    });
    expect(answer.status).toBe(413);
    expect(answer.body.error.message).toContain(`the limit is ${25 * 1024 * 1024} bytes per file`);
  });
});
