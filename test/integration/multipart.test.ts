/**
 * Multipart uploads (`multipart/form-data`) to POST /execute, /compile and /functions: a `request`
 * part with the JSON body and one part per file, WebAssembly as raw bytes, with the same rules,
 * limits and answers as JSON.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import wabt from "wabt";
import { baseUrl } from "./client";

const FIXTURES = join(import.meta.dirname, "../../fixtures/wasm");
let addWasm = new Uint8Array();
let stringsWasm = new Uint8Array();

beforeAll(async () => {
  const tools = await wabt();
  const build = (name: string) => {
    const module = tools.parseWat(`${name}.wat`, readFileSync(join(FIXTURES, `${name}.wat`), "utf8"));
    const bytes = new Uint8Array(module.toBinary({}).buffer);
    module.destroy();
    return bytes;
  };
  addWasm = build("add");
  stringsWasm = build("strings");
});

const ADD_MAIN =
  'import mod from "./add.wasm";\nconst { exports } = await WebAssembly.instantiate(mod, {});\nreturn (exports.add as (a: number, b: number) => number)(args.a, args.b);';

function form(request: unknown, files: Record<string, Uint8Array | string> = {}): FormData {
  const data = new FormData();
  data.append("request", JSON.stringify(request));
  for (const [path, contents] of Object.entries(files)) {
    data.append(path, new Blob([contents]), path);
  }
  return data;
}

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  json: any;
}

async function post(path: string, body: FormData | string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl()}${path}`, { method: "POST", body, headers });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) };
}

describe("multipart POST /execute", () => {
  it("runs modules whose .wasm is sent as raw bytes, with the same id as base64 in JSON", async () => {
    const multipart = await post(
      "/execute",
      form({ args: { a: 20, b: 22 } }, { "index.ts": ADD_MAIN, "add.wasm": addWasm }),
    );
    expect(multipart.status, JSON.stringify(multipart.json)).toBe(200);
    expect(multipart.json).toMatchObject({ ok: true, result: 42 });

    const json = await post(
      "/execute",
      JSON.stringify({
        args: { a: 20, b: 22 },
        modules: { "index.ts": ADD_MAIN, "add.wasm": Buffer.from(addWasm).toString("base64") },
      }),
      { "content-type": "application/json" },
    );
    expect(json.json.id).toBe(multipart.json.id);
  });

  it("merges text `modules` from the request part with file parts, and takes `mainModule`", async () => {
    const data = form(
      {
        mainModule: "main.js",
        modules: {
          "main.js": [
            'import mod from "./wasm/strings.wasm";',
            'import { word } from "./word.js";',
            "const { exports } = await WebAssembly.instantiate(mod);",
            "const input = new TextEncoder().encode(word);",
            "new Uint8Array(exports.memory.buffer, 16, input.length).set(input);",
            "exports.upper_reverse(16, input.length);",
            "return new TextDecoder().decode(new Uint8Array(exports.memory.buffer, 16, input.length));",
          ].join("\n"),
        },
      },
      { "wasm/strings.wasm": stringsWasm },
    );
    data.append("word.js", 'export const word = "multi part";');
    const answer = await post("/execute", data);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.result).toBe("TRAP ITLUM");
  });

  it("takes the path from the part name when the filename has no module extension", async () => {
    const data = form({ args: { a: 1, b: 2 } }, { "index.ts": ADD_MAIN });
    data.append("add.wasm", new Blob([addWasm])); // FormData names it "blob"
    const answer = await post("/execute", data);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.result).toBe(3);
  });

  it("runs a plain `code` request sent as multipart", async () => {
    const answer = await post("/execute", form({ code: "return args.n + 1", args: { n: 1 } }));
    expect(answer.json).toMatchObject({ ok: true, result: 2 });
  });

  it("applies the same path, file and JSON rules as JSON bodies", async () => {
    const cases: [FormData, number, string][] = [
      [form({}, { "../up.ts": "1" }), 400, '"../up.ts"'],
      [form({}, { "index.ts": "return 1", "notes.txt": "x" }), 400, '"notes.txt"'],
      [
        form({ modules: { "index.ts": "return 1" } }, { "index.ts": "return 2" }),
        400,
        'The file "index.ts" is sent twice',
      ],
      [form({ code: "return 1" }, { "index.ts": "return 2" }), 400, "not both"],
      [form({}, { "index.ts": "return 1", "x.wasm": new TextEncoder().encode("not wasm") }), 200, "x.wasm"],
      [form({}, { "index.ts": new Uint8Array([0xff, 0xfe, 0x00]) }), 400, "not UTF-8"],
    ];
    for (const [data, status, message] of cases) {
      const answer = await post("/execute", data);
      expect(answer.status, JSON.stringify(answer.json)).toBe(status);
      expect(answer.json.error?.message ?? answer.json.error).toContain(message);
    }
  });

  it("answers 400 for a missing or malformed `request` part and for malformed multipart", async () => {
    const noRequest = new FormData();
    noRequest.append("index.ts", new Blob(["return 1"]), "index.ts");
    const missing = await post("/execute", noRequest);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: "invalid_json" });
    expect(missing.json.error.message).toContain('no `request` part (it has "index.ts")');

    const badJson = new FormData();
    badJson.append("request", "{not json");
    const bad = await post("/execute", badJson);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain("The `request` part is not valid JSON");

    const garbage = await post("/execute", "this is not multipart", {
      "content-type": "multipart/form-data; boundary=xyz",
    });
    expect(garbage.status).toBe(400);
    expect(garbage.json.error.code).toBe("invalid_json");
    expect(garbage.json.error.message).toContain("multipart");

    const noBoundary = await post("/execute", "--x\r\n", { "content-type": "multipart/form-data" });
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.json.error.message).toContain("boundary");
  });

  it("refuses a 26 MiB raw .wasm with a 413 naming the per-file limit", async () => {
    const answer = await post(
      "/execute",
      form({}, { "index.ts": "return 1", "big.wasm": new Uint8Array(26 * 1024 * 1024) }),
    );
    expect(answer.status).toBe(413);
    expect(answer.json.error.message).toBe(
      `"big.wasm" is ${26 * 1024 * 1024} bytes of WebAssembly; the limit is ${25 * 1024 * 1024} bytes per file.`,
    );
  });

  it("refuses a body over the modules limit, and a large body without modules, with 413", async () => {
    const huge = await post(
      "/execute",
      form(
        {},
        {
          "index.ts": "return 1",
          "a.wasm": new Uint8Array(20 * 1024 * 1024),
          "b.wasm": new Uint8Array(20 * 1024 * 1024),
        },
      ),
    );
    expect(huge.status).toBe(413);
    expect(huge.json.error.message).toContain(`the limit is ${36 * 1024 * 1024} bytes`);

    const plain = await post("/execute", form({ code: "return 1", args: "x".repeat(3 * 1024 * 1024) }));
    expect(plain.status).toBe(413);
    expect(plain.json.error.message).toContain(`the limit is ${2 * 1024 * 1024} bytes`);
  });
});

describe("multipart POST /compile and /functions", () => {
  it("compiles modules sent as multipart", async () => {
    const answer = await post("/compile", form({}, { "index.ts": ADD_MAIN, "add.wasm": addWasm }));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json).toMatchObject({ ok: true, diagnostics: [] });
  });

  it("stores a function uploaded as multipart and reads its .wasm back as base64", async () => {
    const stored = await post("/functions", form({ name: "mp-add" }, { "index.ts": ADD_MAIN, "add.wasm": addWasm }));
    expect(stored.status, JSON.stringify(stored.json)).toBe(201);
    const invoked = await post("/functions/mp-add/invoke", JSON.stringify({ args: { a: 4, b: 5 } }), {
      "content-type": "application/json",
    });
    expect(invoked.json).toMatchObject({ ok: true, result: 9 });
    const version = await fetch(`${baseUrl()}/functions/mp-add/versions/${stored.json.version}`);
    const body = (await version.json()) as { modules: Record<string, string> };
    expect(Buffer.from(body.modules["add.wasm"] ?? "", "base64")).toEqual(Buffer.from(addWasm));
  });
});
