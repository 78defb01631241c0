import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../shared/limits";
import { parseMultipart, withFiles } from "../../../src/doors/http/read-multipart";
import { ServiceError } from "../../../src/errors";
import { parseCodeRequest } from "../../../src/invoke/request";

async function encode(form: FormData): Promise<{ bytes: Uint8Array; type: string }> {
  const request = new Request("http://x/", { method: "POST", body: form });
  return {
    bytes: new Uint8Array(await request.arrayBuffer()),
    type: request.headers.get("content-type") ?? "",
  };
}

const WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

describe("parseMultipart", () => {
  it("splits the request part from files, .wasm as bytes and other files as text", async () => {
    const form = new FormData();
    form.append("request", '{"args": 1}');
    form.append("index.ts", new Blob(["return 1"]), "index.ts");
    form.append("lib/a.wasm", new Blob([WASM]), "lib/a.wasm");
    form.append("b.wasm", new Blob([WASM])); // filename "blob": the part name is the path
    form.append("c.json", "{}");
    const { bytes, type } = await encode(form);
    const parsed = await parseMultipart(bytes, type);
    expect(parsed.request).toBe('{"args": 1}');
    expect(parsed.files).toEqual([
      ["index.ts", "return 1"],
      ["lib/a.wasm", WASM],
      ["b.wasm", WASM],
      ["c.json", "{}"],
    ]);
  });

  it("gives parseCodeRequest modules with raw WebAssembly bytes", async () => {
    const body = withFiles({ args: 2, modules: { "index.ts": "return args" } }, [["add.wasm", WASM]]);
    const request = parseCodeRequest(body, DEFAULT_LIMITS);
    expect(request.modules?.wasm["add.wasm"]).toEqual(WASM);
    expect(request.code).toBe("return args");
  });

  it.each([
    ["no request part", () => new FormData(), "no `request` part"],
    [
      "two request parts",
      () => {
        const form = new FormData();
        form.append("request", "{}");
        form.append("request", "{}");
        return form;
      },
      "2 `request` parts",
    ],
  ])("refuses a body with %s", async (_, build, message) => {
    const { bytes, type } = await encode(build());
    await expect(parseMultipart(bytes, type)).rejects.toThrow(message);
  });

  it("refuses a body that is not multipart, or has no boundary, as invalid_request", async () => {
    const garbage = parseMultipart(new TextEncoder().encode("hello"), "multipart/form-data; boundary=zz");
    await expect(garbage).rejects.toBeInstanceOf(ServiceError);
    await expect(parseMultipart(new Uint8Array(), "multipart/form-data")).rejects.toThrow("no boundary");
  });

  it("refuses a file sent twice", () => {
    expect(() => withFiles({ modules: { "a.ts": "1" } }, [["a.ts", "2"]])).toThrow('"a.ts" is sent twice');
  });
});
