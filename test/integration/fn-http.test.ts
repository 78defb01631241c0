/**
 * Stored modules with a fetch handler, answering HTTP at `/fn/:name/*` (issue 6): the request
 * reaches the handler without the caller's key, its Response comes back as it is, and failures,
 * timeouts and other tenants' functions answer like the rest of the service.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";
import { baseUrl } from "./client";

async function store(name: string, code: string, url = baseUrl(), key?: string): Promise<void> {
  const response = await fetch(`${url}/functions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ name, code }),
  });
  expect(response.status, await response.text()).toBeLessThan(300);
}

const fn = (path: string, init?: RequestInit) => fetch(`${baseUrl()}/fn/${path}`, init);

describe("/fn/:name/*", () => {
  beforeAll(async () => {
    await store(
      "hello",
      'export default { async fetch(req) { const url = new URL(req.url); return new Response("hi " + url.pathname + url.search) } }',
    );
  });

  it("passes the path after the function's name to the handler and answers its response", async () => {
    const response = await fn("hello/world");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("hi /world");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("passes the query string through, and the root path without a trailing slash", async () => {
    expect(await (await fn("hello/a/b?x=1&y=two")).text()).toBe("hi /a/b?x=1&y=two");
    expect(await (await fn("hello")).text()).toBe("hi /");
  });

  it("passes the method and body, and answers the handler's status and headers", async () => {
    await store(
      "echo",
      [
        "export default {",
        "  async fetch(request: Request) {",
        "    const body = await request.json();",
        '    return Response.json({ method: request.method, body }, { status: 201, headers: { "x-echo": "yes" } });',
        "  },",
        "};",
      ].join("\n"),
    );
    const response = await fn("echo/items", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: [1, 2] }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-echo")).toBe("yes");
    expect(await response.json()).toEqual({ method: "POST", body: { a: [1, 2] } });
  });

  it("does not show the Authorization header to the handler", async () => {
    await store(
      "headers",
      "export default { fetch(req) { return Response.json({ auth: req.headers.get('authorization'), custom: req.headers.get('x-custom') }) } }",
    );
    const response = await fn("headers", { headers: { authorization: "Bearer secret-key", "x-custom": "kept" } });
    expect(await response.json()).toEqual({ auth: null, custom: "kept" });
  });

  it("gives the handler $.kv", async () => {
    await store(
      "counter",
      [
        "export default {",
        "  async fetch() {",
        '    const count = Number((await $.kv.get("fn-count")) ?? 0) + 1;',
        '    await $.kv.put("fn-count", String(count));',
        "    return new Response(String(count));",
        "  },",
        "};",
      ].join("\n"),
    );
    const first = Number(await (await fn("counter")).text());
    expect(await (await fn("counter")).text()).toBe(String(first + 1));
  });

  it("answers 500 with the error located in the handler's code when it throws", async () => {
    await store(
      "thrower",
      ["export default {", "  fetch(req) {", '    throw new RangeError("bad input");', "  },", "};"].join("\n"),
    );
    const response = await fn("thrower/x");
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ kind: "runtime", name: "RangeError", message: "bad input", line: 3, column: 11 });
  });

  it("answers 504 when the handler runs past its timeout", async () => {
    await store("spin", "export default { fetch() { while (true) {} } }");
    const started = Date.now();
    const response = await fn("spin", { headers: { "x-function-timeout-ms": "300" } });
    expect(response.status).toBe(504);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses a timeout header that is not a number", async () => {
    const response = await fn("hello", { headers: { "x-function-timeout-ms": "soon" } });
    expect(response.status).toBe(400);
  });

  it("answers 400 for a stored function without a fetch handler", async () => {
    await store("plain", "(args) => 1");
    const response = await fn("plain/x");
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain("Function plain's default export has no fetch handler");
  });

  it("answers 404 for an unknown function", async () => {
    expect((await fn("no-such-function/x")).status).toBe(404);
  });

  it("runs the version named by x-function-version", async () => {
    const answer = await fetch(`${baseUrl()}/functions`, {
      method: "POST",
      body: JSON.stringify({ name: "versioned", code: 'export default { fetch: () => new Response("v1") }' }),
    });
    const { version } = (await answer.json()) as { version: string };
    await store("versioned", 'export default { fetch: () => new Response("v2") }');
    expect(await (await fn("versioned")).text()).toBe("v2");
    expect(await (await fn("versioned", { headers: { "x-function-version": version } })).text()).toBe("v1");
  });

  it("refuses a body over the tier's limit with 413", async () => {
    const response = await fn("echo", { method: "POST", body: "x".repeat(3 * 1024 * 1024) });
    expect(response.status).toBe(413);
  });
});

describe("/fn/:name/* across tenants", () => {
  const KEYS = { acme: "key-fnhttp-acme-7c1e", beta: "key-fnhttp-beta-03ad" } as const;
  const API_KEYS = {
    [KEYS.acme]: { tenant: "acme", tier: "standard" },
    [KEYS.beta]: { tenant: "beta", tier: "standard" },
  };
  const state = mkdtempSync(join(tmpdir(), "fn-http-"));
  let server: DevServer | undefined;

  beforeAll(async () => {
    server = await startDevServer({ args: ["--var", `API_KEYS:${JSON.stringify(API_KEYS)}`], persistTo: state });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("needs a key, and answers 404 for another tenant's function", async () => {
    const url = server?.url ?? "";
    await store("mine", 'export default { fetch: () => new Response("acme only") }', url, KEYS.acme);
    const as = (key?: string) => fetch(`${url}/fn/mine/x`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect((await as()).status).toBe(401);
    const own = await as(KEYS.acme);
    expect([own.status, await own.text()]).toEqual([200, "acme only"]);
    expect((await as(KEYS.beta)).status).toBe(404);
  });
});
