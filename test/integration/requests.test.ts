/** Errors in the request itself: a clear 4xx with {"error":{"code","message"}}, never a 500. */

import { describe, expect, it } from "vitest";
import { baseUrl, post, resultOf } from "./client";

async function rejection(body: string, headers: Record<string, string> = {}): Promise<[number, string]> {
  const { status, json } = await post(body, headers);
  const error = (json as { error?: { code?: unknown; message?: unknown } }).error;
  expect(typeof error?.message).toBe("string");
  return [status, String(error?.code)];
}

describe("request errors", () => {
  it.each([
    ["a body that is not JSON", "return 1", 400, "invalid_json"],
    ["an empty body", "", 400, "invalid_json"],
    ["a JSON array", "[1]", 400, "invalid_request"],
    ["a JSON string", '"return 1"', 400, "invalid_request"],
    ["a body without code", "{}", 400, "invalid_request"],
    ["code that is not a string", '{"code": 1}', 400, "invalid_request"],
    ["an unknown language", '{"code": "1", "language": "python"}', 400, "unsupported_language"],
    ["a timeout of 0", '{"code": "1", "timeoutMs": 0}', 400, "invalid_request"],
    ["a timeout over 30000", '{"code": "1", "timeoutMs": 30001}', 400, "invalid_request"],
    ["a fractional timeout", '{"code": "1", "timeoutMs": 10.5}', 400, "invalid_request"],
    ["a malformed network policy", '{"code": "1", "network": {"allow": "example.com"}}', 400, "invalid_request"],
    ["a wildcard host", '{"code": "1", "network": {"allow": ["*.example.com"]}}', 400, "invalid_request"],
    ["truncated JSON", '{"code": "1"', 400, "invalid_json"],
  ])("answers %s with %i %s", async (_what, body, status, code) => {
    expect(await rejection(body)).toEqual([status, code]);
  });

  it("answers code over 256 KiB with 413", async () => {
    expect(await rejection(JSON.stringify({ code: `return ${"1+".repeat(140_000)}1` }))).toEqual([
      413,
      "payload_too_large",
    ]);
  });

  it("answers a body over the body limit with 413, before parsing it", async () => {
    const body = JSON.stringify({ code: "return 1", args: "x".repeat(3 * 1024 * 1024) });
    expect(await rejection(body)).toEqual([413, "payload_too_large"]);
  });

  it("answers a body that is not UTF-8 with 400", async () => {
    const response = await fetch(`${baseUrl()}/execute`, {
      method: "POST",
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
  });

  it("answers a very deeply nested body without a 500", async () => {
    const { status } = await post(`{"code":"return 1","args":${"[".repeat(200_000)}${"]".repeat(200_000)}}`);
    expect(status === 200 || status === 400 || status === 413).toBe(true);
  });

  it("accepts a body sent without a JSON content type, as curl -d sends it", async () => {
    const { status, json } = await post('{"code": "return 7"}', {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(status).toBe(200);
    expect((json as { result: unknown }).result).toBe(7);
  });

  it("accepts a body with a byte order mark", async () => {
    const { status } = await post('\uFEFF{"code": "return 7"}');
    expect(status).toBe(200);
  });

  it("ignores fields it does not know", async () => {
    expect(await resultOf("return 1", { futureOption: true })).toBe(1);
  });

  it("answers unknown routes with a JSON 404 and wrong methods with a JSON 405", async () => {
    const missing = await fetch(`${baseUrl()}/nope`);
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      "not_found",
    ]);
    const wrongMethod = await fetch(`${baseUrl()}/execute`);
    expect([wrongMethod.status, ((await wrongMethod.json()) as { error: { code: string } }).error.code]).toEqual([
      405,
      "method_not_allowed",
    ]);
  });

  it("answers GET /health with {ok: true}", async () => {
    const response = await fetch(`${baseUrl()}/health`);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("runs code with NUL bytes and lone surrogates in strings without failing", async () => {
    expect(await resultOf("return 'a\\u0000b'.length")).toBe(3);
    const { status, json } = await post('{"code": "return \\"\\ud800\\".length"}');
    expect(status).toBe(200);
    expect((json as { result: unknown }).result).toBe(1);
  });

  it("gives each response a request id", async () => {
    const { headers } = await post('{"code": "1"}');
    expect(headers.get("x-request-id")).toMatch(/.+/);
  });
});
