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

const MiB = 1024 * 1024;

describe("/fn/:name/* response bodies", () => {
  it("answers 502 naming the limit when the handler declares a body over 4 MiB", async () => {
    await store(
      "declared-big",
      'export default { fetch() { const n = 5 * 1024 * 1024; return new Response(new Uint8Array(n), { headers: { "content-length": String(n) } }) } }',
    );
    const response = await fn("declared-big");
    expect(response.status).toBe(502);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("response_too_large");
    expect(error.message).toBe(
      `Function declared-big answered a body of ${5 * MiB} bytes (its Content-Length); the limit is ${4 * MiB} bytes per response (\`responseBytes\`).`,
    );
  });

  it("cuts a streamed body at 4 MiB and errors the stream", async () => {
    await store(
      "stream-big",
      [
        "export default {",
        "  fetch() {",
        "    let sent = 0;",
        "    const body = new ReadableStream({",
        "      pull(controller) {",
        "        if (sent >= 6 * 1024 * 1024) return controller.close();",
        "        sent += 64 * 1024;",
        "        controller.enqueue(new Uint8Array(64 * 1024).fill(120));",
        "      },",
        "    });",
        '    return new Response(body, { headers: { "content-type": "text/plain" } });',
        "  },",
        "};",
      ].join("\n"),
    );
    // Uncompressed: with gzip negotiated, wrangler dev's proxy buffers the start of the body and
    // answers a stream that errors before any of it is flushed with its own 500.
    const response = await fn("stream-big", { headers: { "accept-encoding": "identity" } });
    expect(response.status, response.status === 200 ? "" : await response.text()).toBe(200);
    let received = 0;
    const reading = (async () => {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += value.byteLength;
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(received).toBeLessThanOrEqual(4 * MiB);
  });

  it("passes a streamed body under the limit through whole", async () => {
    await store(
      "stream-small",
      [
        "export default {",
        "  fetch() {",
        "    let chunks = 0;",
        "    const body = new ReadableStream({",
        "      pull(controller) {",
        "        if (chunks++ === 16) return controller.close();",
        "        controller.enqueue(new Uint8Array(64 * 1024).fill(97));",
        "      },",
        "    });",
        "    return new Response(body);",
        "  },",
        "};",
      ].join("\n"),
    );
    const response = await fn("stream-small");
    const text = await response.text();
    expect(text.length).toBe(16 * 64 * 1024);
    expect(text).toMatch(/^a+$/);
  });
});

describe("/fn/:name/* logs", () => {
  interface Run {
    run: string;
    version: string;
    via: string;
    status?: number;
    error?: { kind: string; message: string };
    logs: { level: string; message: string }[];
    dropped: number;
  }

  /** The recorded runs (written just after the answer), waiting briefly for `run` to appear. */
  async function runsOf(name: string, run: string): Promise<Run[]> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const response = await fetch(`${baseUrl()}/functions/${name}/logs`);
      const { runs } = (await response.json()) as { runs: Run[] };
      if (runs.some((entry) => entry.run === run)) return runs;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${run} of ${name} was not recorded`);
  }

  it("keeps a successful handler's logs, retrievable by the run's x-request-id", async () => {
    await store(
      "chatty",
      'export default { fetch(req) { console.log("handling", new URL(req.url).pathname); console.warn({ slow: true }); return new Response("ok") } }',
    );
    const response = await fn("chatty/path");
    expect(await response.text()).toBe("ok");
    const run = response.headers.get("x-request-id") ?? "";
    const runs = await runsOf("chatty", run);
    const recorded = runs.find((entry) => entry.run === run);
    expect(recorded).toMatchObject({
      via: "http",
      status: 200,
      version: expect.stringMatching(/^[0-9a-f]{64}$/),
      dropped: 0,
      logs: [
        { level: "log", message: "handling /path" },
        { level: "warn", message: "{ slow: true }" },
      ],
    });
    expect(recorded?.error).toBeUndefined();
  });

  it("keeps a failed handler's logs with its error, and invocations' logs too", async () => {
    await store(
      "fails-loudly",
      'export default { fetch() { console.error("about to fail"); throw new Error("nope") } }',
    );
    const failed = await fn("fails-loudly");
    expect(failed.status).toBe(500);
    const run = failed.headers.get("x-request-id") ?? "";
    const recorded = (await runsOf("fails-loudly", run)).find((entry) => entry.run === run);
    expect(recorded).toMatchObject({
      via: "http",
      status: 500,
      error: { kind: "runtime", message: "nope" },
      logs: [{ level: "error", message: "about to fail" }],
    });

    await store("invoked-logs", 'console.log("hi", args.n); return args.n');
    const invoked = await fetch(`${baseUrl()}/functions/invoked-logs/invoke`, {
      method: "POST",
      body: JSON.stringify({ args: { n: 7 } }),
    });
    const invokeRun = invoked.headers.get("x-request-id") ?? "";
    const invokeRecord = (await runsOf("invoked-logs", invokeRun)).find((entry) => entry.run === invokeRun);
    expect(invokeRecord).toMatchObject({ via: "invoke", logs: [{ level: "log", message: "hi 7" }] });
  });

  it("answers 404 for the logs of an unknown function and 400 for a bad limit", async () => {
    expect((await fetch(`${baseUrl()}/functions/no-such-function/logs`)).status).toBe(404);
    const bad = await fetch(`${baseUrl()}/functions/chatty/logs?limit=0`);
    expect(bad.status).toBe(400);
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
