import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../shared/limits";
import { ServiceError } from "../../src/errors";
import { parseCodeRequest } from "../../src/invoke/request";

function rejection(body: unknown): [string, number, string] | undefined {
  try {
    parseCodeRequest(body, DEFAULT_LIMITS);
    return undefined;
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return [error.code, error.status, error.message];
  }
}

describe("parseCodeRequest", () => {
  it("fills in the documented defaults", () => {
    expect(parseCodeRequest({ code: "return 1" }, DEFAULT_LIMITS)).toEqual({
      code: "return 1",
      language: "typescript",
      args: "null",
      timeoutMs: 5000,
      network: "none",
    });
  });

  it("keeps args as the JSON text the sandbox receives", () => {
    expect(parseCodeRequest({ code: "", args: { a: [1, "x"] } }, DEFAULT_LIMITS).args).toBe('{"a":[1,"x"]}');
  });

  it("normalises the network allow list: lower case, sorted, de-duplicated", () => {
    const request = parseCodeRequest(
      { code: "", network: { allow: ["B.example.com", "a.example.com:8443", "b.example.com"] } },
      DEFAULT_LIMITS,
    );
    expect(request.network).toEqual({ allow: ["a.example.com:8443", "b.example.com"] });
  });

  it("treats an empty allow list as no network", () => {
    expect(parseCodeRequest({ code: "", network: { allow: [] } }, DEFAULT_LIMITS).network).toBe("none");
  });

  it("ignores fields it does not know", () => {
    expect(parseCodeRequest({ code: "1", future: true }, DEFAULT_LIMITS).code).toBe("1");
  });

  it.each([
    [[1], "invalid_request", 400, "The request body must be a JSON object, got an array."],
    [null, "invalid_request", 400, "The request body must be a JSON object, got null."],
    ["return 1", "invalid_request", 400, 'The request body must be a JSON object, got the string "return 1".'],
    [{}, "invalid_request", 400, '`code` is required: the snippet to run, e.g. {"code": "return 2 + 2"}.'],
    [{ code: 5 }, "invalid_request", 400, "`code` must be a string, got number 5."],
    [
      { code: "", language: "python" },
      "unsupported_language",
      400,
      '`language` must be one of "typescript", "javascript", got the string "python".',
    ],
    [
      { code: "", language: "TypeScript" },
      "unsupported_language",
      400,
      '`language` must be one of "typescript", "javascript", got the string "TypeScript".',
    ],
    [
      { code: "", timeoutMs: 0 },
      "invalid_request",
      400,
      "`timeoutMs` must be an integer from 1 to 30000, got number 0.",
    ],
    [
      { code: "", timeoutMs: 30001 },
      "invalid_request",
      400,
      "`timeoutMs` must be an integer from 1 to 30000, got number 30001.",
    ],
    [
      { code: "", timeoutMs: 1.5 },
      "invalid_request",
      400,
      "`timeoutMs` must be an integer from 1 to 30000, got number 1.5.",
    ],
    [
      { code: "", timeoutMs: "100" },
      "invalid_request",
      400,
      '`timeoutMs` must be an integer from 1 to 30000, got the string "100".',
    ],
    [
      { code: "", network: "all" },
      "invalid_request",
      400,
      '`network` must be "none" or {"allow": ["host", ...]}, got the string "all".',
    ],
    [
      { code: "", network: { allow: "x.com" } },
      "invalid_request",
      400,
      '`network` must be "none" or {"allow": ["host", ...]}; `allow` must be an array, got the string "x.com".',
    ],
    [
      { code: "", network: { allow: [1] } },
      "invalid_request",
      400,
      "`network.allow` entries must be strings, got number 1.",
    ],
    [
      { code: "", network: { allow: ["*.example.com"] } },
      "invalid_request",
      400,
      '`network.allow` entries must be exact host names such as "api.example.com" (optionally with ":port"), got the string "*.example.com".',
    ],
    [
      { code: "", network: { allow: ["http://example.com"] } },
      "invalid_request",
      400,
      '`network.allow` entries must be exact host names such as "api.example.com" (optionally with ":port"), got the string "http://example.com".',
    ],
    [
      { code: "x".repeat(DEFAULT_LIMITS.codeBytes + 1) },
      "payload_too_large",
      413,
      "`code` is 262145 bytes; the limit is 262144 bytes.",
    ],
    [
      { code: "é".repeat(DEFAULT_LIMITS.codeBytes / 2 + 1) },
      "payload_too_large",
      413,
      "`code` is 262146 bytes; the limit is 262144 bytes.",
    ],
  ])("rejects %j", (body, code, status, message) => {
    expect(rejection(body)).toEqual([code, status, message]);
  });

  it("accepts code exactly at the size limit", () => {
    expect(rejection({ code: "x".repeat(DEFAULT_LIMITS.codeBytes) })).toBeUndefined();
  });
});
