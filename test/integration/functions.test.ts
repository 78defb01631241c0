/**
 * Stored functions (issue 6): versions kept durably in D1, invoked through the /execute path with
 * the /execute answer, scoped per tenant, and still there after the server restarts.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";
import { baseUrl, type Execution } from "./client";

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  body: any;
}

async function send(url: string, method: string, path: string, body?: unknown, key?: string): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(key && { authorization: `Bearer ${key}` }) },
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

const local = (method: string, path: string, body?: unknown) => send(baseUrl(), method, path, body);

async function store(name: string, code: string, language?: string): Promise<string> {
  const answer = await local("POST", "/functions", { name, code, ...(language && { language }) });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body.version;
}

describe("storing and invoking", () => {
  it("stores a function and invokes it with args, answering like /execute", async () => {
    const stored = await local("POST", "/functions", { name: "double", code: "(args) => args.x * 2" });
    expect(stored.status).toBe(201);
    expect(stored.body).toEqual({
      name: "double",
      version: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: expect.any(String),
      latest: true,
    });
    expect(Date.parse(stored.body.createdAt)).not.toBeNaN();

    const invoked = await local("POST", "/functions/double/invoke", { args: { x: 21 } });
    expect(invoked.status).toBe(200);
    const execution = invoked.body as Execution;
    expect(execution).toMatchObject({ ok: true, result: 42, logs: [] });
    const direct = await local("POST", "/execute", { code: "(args) => args.x * 2", args: { x: 21 } });
    expect(Object.keys(execution).sort()).toEqual(Object.keys(direct.body).sort());
    expect(execution.id).toBe(direct.body.id);
  });

  it("invokes without a body", async () => {
    await store("no-args", "return args");
    const response = await fetch(`${baseUrl()}/functions/no-args/invoke`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, result: null });
  });

  it("runs the latest version, or the one asked for", async () => {
    const v1 = await store("greet", "return 'v1'");
    const v2 = await store("greet", "return 'v2'");
    expect(v2).not.toBe(v1);
    expect((await local("POST", "/functions/greet/invoke", {})).body.result).toBe("v2");
    expect((await local("POST", `/functions/greet/invoke?version=${v1}`, {})).body.result).toBe("v1");
    expect((await local("POST", `/functions/greet/invoke?version=${v2}`, {})).body.result).toBe("v2");
  });

  it("keeps one version for identical content, which becomes the latest again", async () => {
    const first = await local("POST", "/functions", { name: "same", code: "return 1" });
    const again = await local("POST", "/functions", { name: "same", code: "return 1" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await store("same", "return 2");
    expect(await store("same", "return 1")).toBe(first.body.version);
    const described = await local("GET", "/functions/same");
    expect(described.body.versions.map((v: { version: string }) => v.version)).toEqual([first.body.version, other]);
    expect((await local("POST", "/functions/same/invoke", {})).body.result).toBe(1);
  });

  it("gives different versions to the same code in different languages", async () => {
    const ts = await store("lang", "return 1", "typescript");
    const js = await store("lang", "return 1", "javascript");
    expect(js).not.toBe(ts);
  });

  it("applies the caller's limits and answers run failures as /execute does", async () => {
    await store("throws", "throw new TypeError('nope')");
    const thrown = await local("POST", "/functions/throws/invoke", {});
    expect(thrown.status).toBe(200);
    expect(thrown.body).toMatchObject({ ok: false, error: { kind: "runtime", name: "TypeError", message: "nope" } });
    await store("spins", "for (;;) {}");
    const spun = await local("POST", "/functions/spins/invoke", { timeoutMs: 200 });
    expect(spun.body).toMatchObject({ ok: false, error: { kind: "timeout" } });
    const tooLong = await local("POST", "/functions/spins/invoke", { timeoutMs: 10_000_000 });
    expect(tooLong.status).toBe(400);
  });

  it("runs the stored code whatever code the invocation sends", async () => {
    await store("fixed", "return 'stored'");
    const answer = await local("POST", "/functions/fixed/invoke", { code: "return 'sent'", language: "javascript" });
    expect(answer.body).toMatchObject({ ok: true, result: "stored" });
  });
});

describe("listing, reading and deleting", () => {
  it("lists functions with their latest version and count", async () => {
    const v1 = await store("listed", "return 'a'");
    const v2 = await store("listed", "return 'b'");
    const listed = await local("GET", "/functions");
    expect(listed.status).toBe(200);
    const entry = listed.body.functions.find((f: { name: string }) => f.name === "listed");
    expect(entry).toEqual({ name: "listed", latest: v2, versions: 2, updatedAt: expect.any(String) });

    const described = await local("GET", "/functions/listed");
    expect(described.body).toEqual({
      name: "listed",
      latest: v2,
      versions: [
        { version: v2, createdAt: expect.any(String), language: "typescript", bytes: 10 },
        { version: v1, createdAt: expect.any(String), language: "typescript", bytes: 10 },
      ],
    });

    const code = await local("GET", `/functions/listed/versions/${v1}`);
    expect(code.body).toMatchObject({ name: "listed", version: v1, code: "return 'a'", language: "typescript" });
  });

  it("deletes every version, after which the function is gone", async () => {
    const v1 = await store("doomed", "return 1");
    await store("doomed", "return 2");
    expect((await local("DELETE", "/functions/doomed")).status).toBe(204);
    for (const [method, path] of [
      ["POST", "/functions/doomed/invoke"],
      ["POST", `/functions/doomed/invoke?version=${v1}`],
      ["GET", "/functions/doomed"],
      ["GET", `/functions/doomed/versions/${v1}`],
      ["DELETE", "/functions/doomed"],
    ] as const) {
      const answer = await local(method, path, method === "POST" ? {} : undefined);
      expect([method, path, answer.status, answer.body.error.code]).toEqual([method, path, 404, "not_found"]);
    }
  });

  it("answers 404 for an unknown function or version", async () => {
    await store("known", "return 1");
    expect((await local("POST", "/functions/unknown-fn/invoke", {})).status).toBe(404);
    const unknown = await local("POST", `/functions/known/invoke?version=${"0".repeat(64)}`, {});
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "not_found"]);
  });
});

describe("bad requests", () => {
  it.each([
    ["a missing name", { code: "1" }],
    ["a non-string name", { name: 7, code: "1" }],
    ["an uppercase name", { name: "Add", code: "1" }],
    ["a name starting with a digit", { name: "1fn", code: "1" }],
    ["a name with a slash", { name: "a/b", code: "1" }],
    ["a name over 63 characters", { name: `a${"b".repeat(63)}`, code: "1" }],
    ["a missing code", { name: "fine" }],
    ["an unknown language", { name: "fine", code: "1", language: "python" }],
    ["a body that is an array", [1]],
    ["modules", { name: "fine", code: "1", modules: { "a.ts": "export const a = 1" } }],
  ])("rejects %s with 400", async (_what, body) => {
    const answer = await local("POST", "/functions", body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toEqual(expect.any(String));
  });

  it("rejects a body that is not JSON with 400", async () => {
    const answer = await local("POST", "/functions", "{nope");
    expect([answer.status, answer.body.error.code]).toEqual([400, "invalid_json"]);
  });

  it("rejects bad names, versions and invoke bodies in the path and query with 400", async () => {
    await store("valid", "return 1");
    for (const [method, path, body] of [
      ["GET", "/functions/Bad_Name", undefined],
      ["POST", "/functions/Bad_Name/invoke", {}],
      ["POST", "/functions/valid/invoke?version=v1", {}],
      ["GET", "/functions/valid/versions/xyz", undefined],
      ["POST", "/functions/valid/invoke", [1]],
      ["POST", "/functions/valid/invoke", { timeoutMs: "soon" }],
    ] as const) {
      const answer = await local(method, path, body);
      expect([path, answer.status]).toEqual([path, 400]);
    }
  });

  it("does not store code that does not compile, and says why", async () => {
    const answer = await local("POST", "/functions", { name: "broken", code: "return (1 +" });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("invalid_request");
    expect(answer.body.error.details.diagnostics[0]).toMatchObject({ severity: "error", source: "syntax", line: 1 });
    expect((await local("GET", "/functions/broken")).status).toBe(404);
  });
});

describe("tenancy and restarts", () => {
  const KEYS = { acme: "key-fn-acme-41ad", beta: "key-fn-beta-92cf" } as const;
  const API_KEYS = {
    [KEYS.acme]: { tenant: "acme", tier: "standard" },
    [KEYS.beta]: { tenant: "beta", tier: "standard" },
  };
  const args = ["--var", `API_KEYS:${JSON.stringify(API_KEYS)}`];
  const state = mkdtempSync(join(tmpdir(), "functions-restart-"));
  let server: DevServer | undefined;

  beforeAll(async () => {
    server = await startDevServer({ args, persistTo: state });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  const as = (key: string, method: string, path: string, body?: unknown) =>
    send(server?.url ?? "", method, path, body, key);

  it("requires a key", async () => {
    const answer = await send(server?.url ?? "", "GET", "/functions");
    expect(answer.status).toBe(401);
  });

  it("keeps each tenant's functions to itself", async () => {
    const stored = await as(KEYS.acme, "POST", "/functions", { name: "secret", code: "return $.ctx.tenant" });
    expect(stored.status).toBe(201);
    const version = stored.body.version;
    expect((await as(KEYS.acme, "POST", "/functions/secret/invoke", {})).body.result).toBe("acme");

    expect((await as(KEYS.beta, "GET", "/functions")).body).toEqual({ functions: [] });
    for (const [method, path] of [
      ["POST", "/functions/secret/invoke"],
      ["POST", `/functions/secret/invoke?version=${version}`],
      ["GET", "/functions/secret"],
      ["GET", `/functions/secret/versions/${version}`],
      ["DELETE", "/functions/secret"],
    ] as const) {
      const answer = await as(KEYS.beta, method, path, method === "POST" ? {} : undefined);
      expect([method, path, answer.status]).toEqual([method, path, 404]);
    }

    // The same name is separate per tenant.
    await as(KEYS.beta, "POST", "/functions", { name: "secret", code: "return 'beta own'" });
    expect((await as(KEYS.beta, "POST", "/functions/secret/invoke", {})).body.result).toBe("beta own");
    expect((await as(KEYS.acme, "POST", "/functions/secret/invoke", {})).body.result).toBe("acme");
    expect((await as(KEYS.acme, "GET", "/functions")).body.functions).toHaveLength(1);
  });

  it("still has the functions after the server restarts", async () => {
    const stored = await as(KEYS.acme, "POST", "/functions", { name: "durable", code: "(a) => a + 1" });
    expect(stored.status).toBe(201);
    await server?.stop();
    server = await startDevServer({ args, persistTo: state });
    const invoked = await as(KEYS.acme, "POST", "/functions/durable/invoke", { args: 41 });
    expect(invoked.body).toMatchObject({ ok: true, result: 42, id: expect.any(String) });
    // Storing compiled it; the new process found that compilation in the second-level compile
    // cache (the Cache API, persisted with the rest of the state) instead of compiling again.
    expect(invoked.body.cached).toBe(true);
    expect((await as(KEYS.acme, "GET", "/functions/durable")).body.latest).toBe(stored.body.version);
  }, 180_000);
});
