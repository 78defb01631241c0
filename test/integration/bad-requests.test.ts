/**
 * Bodies a client can get wrong, byte by byte (docs/api.md, "Errors in the request itself"): each one is
 * a clear 4xx `{"error":{"code","message"}}` or a correct run, never a 500 and never a hang.
 * requests.test.ts covers the field-level errors; this file covers encodings, line endings, odd
 * characters, nesting, duplicates, sizes and content types.
 */

import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { baseUrl, type Execution, expectHealthy, type RawAnswer, sendRaw, streamChunked } from "./client";

/** Asserts a 4xx with the documented error shape; returns `[status, code, message]`. */
function rejection(answer: RawAnswer): [number, string, string] {
  expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
  expect(answer.status, answer.text).toBeLessThan(500);
  const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  expect(typeof error?.code, answer.text).toBe("string");
  expect(typeof error?.message, answer.text).toBe("string");
  return [answer.status, String(error?.code), String(error?.message)];
}

/** Asserts a 200 with a well-formed execution and returns it. */
function execution(answer: RawAnswer): Execution {
  expect(answer.status, answer.text).toBe(200);
  const body = answer.json as Execution;
  expect(typeof body.ok, answer.text).toBe("boolean");
  return body;
}

const json = (value: unknown) => JSON.stringify(value);
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));

afterEach(async () => {
  await expectHealthy();
});

describe("bodies that are not UTF-8", () => {
  it.each([
    ["an overlong encoding of '/'", bytes('{"code":"return 1', [0xc0, 0xaf], '"}')],
    ["a sequence cut off at the end", bytes('{"code":"return 1"}', [0xe2, 0x82])],
    ["a lone surrogate encoded raw", bytes('{"code":"return \'', [0xed, 0xa0, 0x80], "'\"}")],
    ["a byte that never occurs in UTF-8", bytes('{"code":"', [0xf5], '"}')],
    ["a stray continuation byte", bytes('{"code":"', [0x80], '"}')],
    ["UTF-16 with its byte order mark", Buffer.from(`\uFEFF${json({ code: "return 1" })}`, "utf16le")],
    ["Latin-1 text", Buffer.from('{"code":"return \'caf\u00e9\'"}', "latin1")],
  ])("answers %s with 400 invalid_json", async (_what, body) => {
    expect(rejection(await sendRaw(body, { "content-type": "application/json" }))).toEqual([
      400,
      "invalid_json",
      "The request body is not valid UTF-8.",
    ]);
  });

  it("answers a gzip-encoded body with 400 rather than inflating it", async () => {
    const body = gzipSync(json({ code: "return 1", args: "x".repeat(50_000_000) }));
    const [status, code] = rejection(await sendRaw(body, { "content-encoding": "gzip" }));
    expect([status, code]).toEqual([400, "invalid_json"]);
  });
});

describe("byte order marks", () => {
  it("refuses a second byte order mark before the body", async () => {
    const [status, code] = rejection(await sendRaw(`\uFEFF\uFEFF${json({ code: "return 7" })}`));
    expect([status, code]).toEqual([400, "invalid_json"]);
  });

  it("runs code that starts with a byte order mark, keeping its line numbers", async () => {
    const run = execution(await sendRaw(json({ code: "\uFEFFconst a = 1;\nthrow new Error('after a BOM')" })));
    expect(run.error).toMatchObject({ kind: "runtime", message: "after a BOM", line: 2, column: 7 });
  });

  it("runs code of nothing but byte order marks and whitespace as an empty snippet", async () => {
    const run = execution(await sendRaw(json({ code: "\uFEFF\uFEFF \n\t" })));
    expect(run.ok).toBe(true);
    expect("result" in run).toBe(false);
  });
});

describe("line endings inside code", () => {
  const endings = [
    ["CRLF", "\r\n"],
    ["a lone CR", "\r"],
  ] as const;

  it.each(endings)("locates a runtime error on the right line with %s line endings", async (_name, eol) => {
    const code = ["const a = 1;", "const b = 2;", "throw new Error('third line')"].join(eol);
    const run = execution(await sendRaw(json({ code })));
    expect(run.error).toMatchObject({ kind: "runtime", line: 3, column: 7 });
    expect(run.error?.frame).toBe(
      "  1 | const a = 1;\n  2 | const b = 2;\n> 3 | throw new Error('third line')\n    |       ^",
    );
    expect(run.error?.stack).toContain("snippet.ts:3:7");
  });

  it.each(endings)("locates a syntax error on the right line with %s line endings", async (_name, eol) => {
    const code = ["const a = 1;", "const b = 2;", "const = 3;"].join(eol);
    const run = execution(await sendRaw(json({ code, language: "javascript" })));
    expect(run.error).toMatchObject({ kind: "syntax", line: 3, column: 7 });
    expect(run.error?.frame?.split("\n")[2]).toBe("> 3 | const = 3;");
  });

  it.each(endings)("locates a TypeScript runtime error on the right line with %s line endings", async (_name, eol) => {
    const code = ["const a: number = 1;", "type T = { x: string };", "  (null as unknown as T).x"].join(eol);
    const run = execution(await sendRaw(json({ code, language: "typescript" })));
    expect(run.error).toMatchObject({ kind: "runtime", name: "TypeError", line: 3 });
  });

  it.each(endings)("locates an error inside a Markdown fence with %s line endings", async (_name, eol) => {
    const code = ["Here you go:", "```js", "const a = 1;", "throw new Error('fenced')", "```"].join(eol);
    const run = execution(await sendRaw(json({ code })));
    expect(run.error).toMatchObject({ kind: "runtime", message: "fenced", line: 4, column: 7 });
  });

  it("counts lines right when CRLF, CR and LF are mixed", async () => {
    const code = "const a = 1;\r\nconst b = 2;\rconst c = 3;\nthrow new Error('fourth')";
    expect(execution(await sendRaw(json({ code }))).error).toMatchObject({ line: 4, column: 7 });
  });

  it.each([
    ["U+2028", "\u2028"],
    ["U+2029", "\u2029"],
  ])("frames a syntax error in code separated by %s at the line it reports", async (_name, separator) => {
    const code = ["const a = 1;", "const b = 2;", "const = 3;"].join(separator);
    const run = execution(await sendRaw(json({ code, language: "javascript" })));
    expect(run.error?.kind).toBe("syntax");
    const marked = run.error?.frame?.split("\n").find((line) => line.startsWith(">"));
    expect(marked?.startsWith(`> ${run.error?.line} |`), run.error?.frame).toBe(true);
  });

  it.each([
    ["U+2028", "\u2028"],
    ["U+2029", "\u2029"],
  ])("locates a runtime error in code separated by %s as a syntax error is located", async (_name, separator) => {
    const code = ["const a = 1;", "const b = 2;", "throw new Error('third')"].join(separator);
    const run = execution(await sendRaw(json({ code })));
    expect(run.error).toMatchObject({ kind: "runtime", message: "third", line: 1, column: 33 });
    const marked = run.error?.frame?.split("\n").find((line) => line.startsWith(">"));
    expect(marked?.startsWith("> 1 |"), run.error?.frame).toBe(true);
  });

  it.each(endings)("reads %s inside a template literal as a newline, as JavaScript does", async (_name, eol) => {
    const run = execution(await sendRaw(json({ code: `return \`a${eol}b\``, language: "javascript" })));
    expect(run.result).toBe("a\nb");
  });
});

describe("NUL bytes", () => {
  it("answers a raw NUL inside a JSON string with 400 invalid_json", async () => {
    const [status, code] = rejection(await sendRaw(bytes('{"code":"return 1', [0], '"}')));
    expect([status, code]).toEqual([400, "invalid_json"]);
  });

  it("answers a NUL after the JSON value with 400 invalid_json", async () => {
    const [status, code] = rejection(await sendRaw(bytes('{"code":"return 1"}', [0])));
    expect([status, code]).toEqual([400, "invalid_json"]);
  });

  it("reports a NUL between tokens as a syntax error at its position", async () => {
    const run = execution(await sendRaw(json({ code: "return 1\u0000" })));
    expect(run.error).toMatchObject({ kind: "syntax", line: 1, column: 9 });
  });

  it("runs code with a NUL inside a comment", async () => {
    expect(execution(await sendRaw(json({ code: "// a\u0000b\nreturn 1" }))).result).toBe(1);
  });

  it("round-trips NUL through args, logs and the result", async () => {
    const run = execution(await sendRaw(json({ code: "console.log(args); return args", args: "a\u0000b" })));
    expect([run.result, run.logs[0]?.message]).toEqual(["a\u0000b", "a\u0000b"]);
  });
});

describe("lone surrogates", () => {
  it("reports a lone surrogate in an identifier as a syntax error", async () => {
    const run = execution(await sendRaw(json({ code: "const a\uD800 = 1" })));
    expect(run.error).toMatchObject({ kind: "syntax", line: 1, column: 8 });
  });

  it("runs code with a lone surrogate inside a comment", async () => {
    expect(execution(await sendRaw(json({ code: "// \uDC00\nreturn 2" }))).result).toBe(2);
  });

  it("round-trips lone surrogates through args, logs, the result and error messages", async () => {
    const args = "x\uD800y\uDFFFz";
    const ok = execution(await sendRaw(json({ code: "console.log(args); return args", args })));
    expect([ok.result, ok.logs[0]?.message]).toEqual([args, args]);
    const failed = execution(await sendRaw(json({ code: "throw new Error(args)", args })));
    expect(failed.error).toMatchObject({ kind: "runtime", message: args });
  });

  it.each([
    ["language", { code: "1", language: "type\uD800script" }, "unsupported_language"],
    ["network.allow", { code: "1", network: { allow: ["api\uDC00.example.test"] } }, "invalid_request"],
  ])("answers a lone surrogate in %s with a 400", async (_field, body, code) => {
    const [status, errorCode] = rejection(await sendRaw(json(body)));
    expect([status, errorCode]).toEqual([400, code]);
  });
});

describe("deeply nested bodies", () => {
  it.each([
    ["1,000,000 nested arrays in args", `{"code":"return 1","args":${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}}`],
    ["300,000 nested objects in args", `{"code":"return 1","args":${'{"a":'.repeat(300_000)}1${"}".repeat(300_000)}}`],
  ])("runs a body with %s, or refuses it with a 4xx", async (_what, body) => {
    const answer = await sendRaw(body);
    if (answer.status === 200) expect(execution(answer).result).toBe(1);
    else rejection(answer);
  });

  it("answers a body that is itself 1,000,000 nested arrays with 400", async () => {
    const [status, code] = rejection(await sendRaw(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`));
    expect(status).toBe(400);
    expect(["invalid_json", "invalid_request"]).toContain(code);
  });

  it("answers deeply nested arrays where code should be with 400 invalid_request", async () => {
    const answer = await sendRaw(`{"code":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    expect(rejection(answer)).toEqual([400, "invalid_request", "`code` must be a string, got an array."]);
  });

  it("answers a deeply nested network policy with 400 invalid_request", async () => {
    const answer = await sendRaw(`{"code":"1","network":{"allow":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`);
    expect(rejection(answer).slice(0, 2)).toEqual([400, "invalid_request"]);
  });
});

describe("duplicate keys", () => {
  it("takes the last of duplicate keys, as JSON.parse does", async () => {
    expect(execution(await sendRaw('{"code":"return 1","code":"return 2"}')).result).toBe(2);
  });

  it("validates the value that is used, not an earlier duplicate", async () => {
    const valid = await sendRaw('{"code":"return 3","timeoutMs":0,"timeoutMs":1000}');
    expect(execution(valid).result).toBe(3);
    const invalid = await sendRaw('{"code":"return 3","timeoutMs":1000,"timeoutMs":0}');
    expect(rejection(invalid).slice(0, 2)).toEqual([400, "invalid_request"]);
  });

  it("treats a __proto__ member as data: it neither supplies fields nor pollutes anything", async () => {
    const missing = await sendRaw('{"__proto__":{"code":"return 1"}}');
    expect(rejection(missing).slice(0, 2)).toEqual([400, "invalid_request"]);
    const code = "return [({}).timeoutMs ?? 'clean', ({}).polluted ?? 'clean', Object.hasOwn(args, '__proto__')]";
    const body = `{"__proto__":{"timeoutMs":1,"polluted":true},"code":${json(code)},"args":{"__proto__":{"polluted":true}}}`;
    expect(execution(await sendRaw(body)).result).toEqual(["clean", "clean", true]);
  });

  it("takes the last duplicate inside args too", async () => {
    expect(execution(await sendRaw('{"code":"return args","args":{"a":1,"a":2}}')).result).toEqual({ a: 2 });
  });
});

describe("bodies over the limit", () => {
  const tenMegabytes = json({ code: "return args.length", args: "x".repeat(10 * 1024 * 1024) });

  it("answers a 10 MB body with 413 payload_too_large", async () => {
    const [status, code, message] = rejection(await sendRaw(tenMegabytes, { "content-type": "application/json" }));
    expect([status, code]).toEqual([413, "payload_too_large"]);
    expect(message).toMatch(/the limit is 2097152 bytes\.$/);
  });

  it("refuses a 10 MB body streamed without a Content-Length, never with its own 500", async () => {
    const outcome = await streamChunked(10 * 1024 * 1024);
    if (outcome.status === 413) {
      expect((JSON.parse(outcome.body) as { error: { code: string } }).error.code).toBe("payload_too_large");
      return;
    }
    // The Worker answers 413 and cancels the body; locally, wrangler's proxy may then reset the
    // connection or answer its own plain-text "Network connection lost" instead of passing the 413 on.
    expect(outcome.status === 0 || outcome.body.startsWith("Error: Network connection lost."), outcome.body).toBe(true);
  });

  it("answers 10 MB of code with 413", async () => {
    const answer = await sendRaw(json({ code: `return ${JSON.stringify("y".repeat(10 * 1024 * 1024))}.length` }));
    expect(rejection(answer).slice(0, 2)).toEqual([413, "payload_too_large"]);
  });
});

describe("content types", () => {
  const body = json({ code: "return 7" });

  it.each([
    ["text/plain", { "content-type": "text/plain" }],
    ["application/octet-stream", { "content-type": "application/octet-stream" }],
    ["application/json with a charset", { "content-type": "application/json; charset=utf-8" }],
    ["a vendor JSON type", { "content-type": "application/vnd.api+json" }],
    ["no content type at all", {}],
  ])("reads a JSON body sent as %s", async (_type, headers) => {
    expect(execution(await sendRaw(body, headers)).result).toBe(7);
  });

  it("answers a real multipart/form-data body with 400 invalid_json", async () => {
    const form = '--x\r\nContent-Disposition: form-data; name="code"\r\n\r\nreturn 1\r\n--x--\r\n';
    const answer = await sendRaw(form, { "content-type": "multipart/form-data; boundary=x" });
    expect(rejection(answer).slice(0, 2)).toEqual([400, "invalid_json"]);
  });

  it("answers a real form-urlencoded body with 400 invalid_json", async () => {
    const answer = await sendRaw("code=return+1", { "content-type": "application/x-www-form-urlencoded" });
    expect(rejection(answer).slice(0, 2)).toEqual([400, "invalid_json"]);
  });
});

describe("empty and non-object bodies", () => {
  it.each([
    ["no body at all", undefined],
    ["only whitespace", " \r\n\t "],
    ["only a byte order mark", "\uFEFF"],
  ])("answers %s with 400 invalid_json, saying what was expected", async (_what, body) => {
    const [status, code, message] = rejection(await sendRaw(body));
    expect([status, code]).toEqual([400, "invalid_json"]);
    expect(message).toContain('{"code": "return 1"}');
  });

  it.each([
    ["a number", "42", "number 42"],
    ["null", "null", "null"],
    ["true", "true", "boolean true"],
    ["an array of requests", json([{ code: "return 1" }]), "an array"],
  ])("answers a body that is %s with 400 invalid_request naming it", async (_what, body, got) => {
    expect(rejection(await sendRaw(body))).toEqual([
      400,
      "invalid_request",
      `The request body must be a JSON object, got ${got}.`,
    ]);
  });

  it.each([
    ["JSON with a comment", '{"code": "return 1" /* note */}'],
    ["JSON with a trailing comma", '{"code": "return 1",}'],
    ["single-quoted JSON", "{'code': 'return 1'}"],
    ["two JSON objects", '{"code":"return 1"}{"code":"return 2"}'],
  ])("answers %s with 400 invalid_json", async (_what, body) => {
    expect(rejection(await sendRaw(body)).slice(0, 2)).toEqual([400, "invalid_json"]);
  });
});

describe("fields at their edges", () => {
  it.each([
    ["empty", ""],
    ["only whitespace", " \n\t"],
    ["only a comment", "// nothing to do"],
    ["an empty Markdown fence", "```js\n```"],
  ])("runs %s code as a snippet with no result", async (_what, code) => {
    const run = execution(await sendRaw(json({ code })));
    expect(run.ok).toBe(true);
    expect("result" in run).toBe(false);
  });

  it("turns a number too large for a double in args into null, as JSON.stringify would", async () => {
    expect(execution(await sendRaw('{"code":"return [args, args === null]","args":1e400}')).result).toEqual([
      null,
      true,
    ]);
  });

  it.each([
    ["timeoutMs null", { code: "1", timeoutMs: null }, "invalid_request"],
    ["timeoutMs as a string", { code: "1", timeoutMs: "1000" }, "invalid_request"],
    ["timeoutMs negative", { code: "1", timeoutMs: -5 }, "invalid_request"],
    ["language null", { code: "1", language: null }, "unsupported_language"],
    ["language in capitals", { code: "1", language: "JavaScript" }, "unsupported_language"],
    ["network null", { code: "1", network: null }, "invalid_request"],
    ["network as another string", { code: "1", network: "all" }, "invalid_request"],
    ["an allowed host with a path", { code: "1", network: { allow: ["api.example.test/admin"] } }, "invalid_request"],
    [
      "an allowed host with a scheme",
      { code: "1", network: { allow: ["http://api.example.test"] } },
      "invalid_request",
    ],
    [
      "101 allowed hosts",
      { code: "1", network: { allow: Array.from({ length: 101 }, (_, i) => `h${i}.test`) } },
      "invalid_request",
    ],
  ])("answers %s with 400 %s", async (_what, body, code) => {
    expect(rejection(await sendRaw(json(body))).slice(0, 2)).toEqual([400, code]);
  });

  it("runs with a deadline of 1 ms, answering a result or a timeout", async () => {
    const run = execution(await sendRaw(json({ code: "return 1", timeoutMs: 1 })));
    if (!run.ok) expect(run.error?.kind).toBe("timeout");
  });
});

describe("paths and methods", () => {
  it("answers /execute with a query string as /execute", async () => {
    const response = await fetch(`${baseUrl()}/execute?debug=1`, { method: "POST", body: json({ code: "return 8" }) });
    expect(((await response.json()) as Execution).result).toBe(8);
  });

  it.each([
    ["PUT", "/execute", 405],
    ["DELETE", "/execute", 405],
    ["POST", "/Execute", 404],
    ["POST", "/execute/extra", 404],
  ])("answers %s %s with a JSON %i", async (method, path, status) => {
    const response = await fetch(`${baseUrl()}${path}`, { method, body: json({ code: "1" }) });
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code).toBe("string");
    expect(typeof body.error?.message).toBe("string");
  });
});

describe("network ports", () => {
  it.each(["api.example.test:99999", "api.example.test:0", "[2606:4700::1111]:65536"])(
    "rejects the allowed host %s with a port outside 1..65535",
    async (host) => {
      const answer = await sendRaw(json({ code: "return 1", network: { allow: [host] } }));
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        error: { code: "invalid_request", message: expect.stringContaining("1..65535") },
      });
    },
  );
});
