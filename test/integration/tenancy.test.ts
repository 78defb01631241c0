/**
 * Keys, tenants and tiers (issue 3), on a second server configured with API keys. Tenants must
 * never reach each other's data, whatever keys or names a snippet crafts, and a compiled unit
 * shared by two tenants must act for whoever calls it.
 */

import { newWebSocketRpcSession } from "capnweb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";

const KEYS = {
  acme: "key-acme-standard-5d2e",
  acmePro: "key-acme-pro-9a41",
  beta: "key-beta-free-77c0",
  gamma: "key-gamma-free-31bb",
  delta: "key-delta-free-4c19",
} as const;

const API_KEYS = {
  [KEYS.acme]: { tenant: "acme", tier: "standard" },
  [KEYS.acmePro]: { tenant: "acme", tier: "pro" },
  [KEYS.beta]: { tenant: "beta", tier: "free" },
  [KEYS.gamma]: { tenant: "gamma", tier: "free" },
  [KEYS.delta]: { tenant: "delta", tier: "free" },
};

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ args: ["--var", `API_KEYS:${JSON.stringify(API_KEYS)}`] });
});

afterAll(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  body: { ok?: boolean; result?: unknown; error?: Record<string, unknown>; cached?: boolean };
  headers: Headers;
}

async function call(key: string | undefined, request: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${server.url}/execute`, {
    method: "POST",
    headers: key ? { authorization: `Bearer ${key}` } : {},
    body: JSON.stringify(request),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"], headers: response.headers };
}

async function result(key: string, code: string): Promise<unknown> {
  const answer = await call(key, { code });
  expect(answer.body.error, JSON.stringify(answer.body.error)).toBeUndefined();
  return answer.body.result;
}

describe("API keys", () => {
  it.each([
    ["no header", undefined, "An API key is required: send `Authorization: Bearer <key>`."],
    ["a wrong key", "nope", "The API key is not valid."],
    ["a key's prefix", KEYS.acme.slice(0, 8), "The API key is not valid."],
  ])("answers %s with 401", async (_what, key, message) => {
    const answer = await call(key, { code: "1" });
    expect([answer.status, answer.body]).toEqual([401, { error: { code: "unauthorized", message } }]);
  });

  it("never echoes a key back", async () => {
    const answer = await call(`${KEYS.acme}x`, { code: "1" });
    expect(JSON.stringify(answer.body)).not.toContain("5d2e");
  });

  it("runs as the key's tenant", async () => {
    expect(await result(KEYS.acme, "return $.ctx.tenant")).toBe("acme");
    expect(await result(KEYS.beta, "return $.ctx.tenant")).toBe("beta");
  });

  it("shares a tenant's data between its keys", async () => {
    await result(KEYS.acme, 'await $.kv.put("shared-by-keys", "one")');
    expect(await result(KEYS.acmePro, 'return $.kv.get("shared-by-keys")')).toBe("one");
  });

  it("requires a key for /types but not for /health", async () => {
    expect((await fetch(`${server.url}/types`)).status).toBe(401);
    expect((await fetch(`${server.url}/types`, { headers: { authorization: `Bearer ${KEYS.beta}` } })).status).toBe(
      200,
    );
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe("tenant isolation", () => {
  beforeAll(async () => {
    await result(
      KEYS.acme,
      'await $.kv.put("secret", "acme-only"); await $.kv.put("list/a", "1"); await $.db.put("notes", "n1", { text: "acme note" })',
    );
  });

  it("does not let another tenant read, list or delete a tenant's keys", async () => {
    expect(
      await result(
        KEYS.beta,
        'await $.kv.delete("secret"); return [await $.kv.get("secret"), (await $.kv.list()).keys.map((k) => k.name)]',
      ),
    ).toEqual([null, []]);
    expect(await result(KEYS.acme, 'return $.kv.get("secret")')).toBe("acme-only");
  });

  it.each([
    "../acme/secret",
    "acme/secret",
    "/acme/secret",
    "..%2facme%2fsecret",
    "\u0000acme/secret",
    "beta/../acme/secret",
  ])("does not let the crafted key %j reach another tenant", async (key) => {
    expect(await result(KEYS.beta, `return $.kv.get(${JSON.stringify(key)})`)).toBeNull();
  });

  it.each(["", "../", "acme", "acme/", "../acme/", "/"])(
    "lists only the caller's keys for the prefix %j",
    async (prefix) => {
      const names = (await result(
        KEYS.beta,
        `return (await $.kv.list({ prefix: ${JSON.stringify(prefix)} })).keys.map((k) => k.name)`,
      )) as string[];
      expect(names.filter((name) => name.includes("secret") || name.startsWith("list/"))).toEqual([]);
    },
  );

  it("does not let another tenant read, list or delete a tenant's documents", async () => {
    expect(
      await result(
        KEYS.beta,
        'const deleted = await $.db.delete("notes", "n1"); return [deleted, await $.db.get("notes", "n1"), await $.db.list("notes")]',
      ),
    ).toEqual([false, null, []]);
    expect(await result(KEYS.acme, 'return $.db.get("notes", "n1")')).toEqual({ text: "acme note" });
  });

  it.each([
    ["an id with SQL", `$.db.get("notes", "n1' OR tenant = 'acme")`],
    ["a condition with SQL", `$.db.list("notes", { where: { text: "x' OR '1'='1" } })`],
  ])("does not let %s cross tenants", async (_what, call) => {
    const value = await result(KEYS.beta, `const v = await ${call}; return Array.isArray(v) ? v.length : v`);
    expect(value === null || value === 0).toBe(true);
  });

  it("acts for whoever calls a compiled unit that two tenants share", async () => {
    const code = [
      "const leaked = globalThis.lastTenant ?? null;",
      "globalThis.lastTenant = $.ctx.tenant;",
      'await $.kv.put("whoami", $.ctx.tenant);',
      'return [$.ctx.tenant, await $.kv.get("whoami"), await $.kv.get("secret"), leaked];',
    ].join("\n");
    const first = await call(KEYS.acme, { code });
    const second = await call(KEYS.beta, { code });
    expect(first.body.result).toEqual(["acme", "acme", "acme-only", null]);
    expect(second.body.cached).toBe(true);
    // Beta sees its own data, and nothing acme's run left in the isolate's globals.
    expect(second.body.result).toEqual(["beta", "beta", null, null]);
  });
});

describe("tiers", () => {
  it("denies $.fetch on the free tier, naming what was denied", async () => {
    const answer = await call(KEYS.beta, {
      code: "await $.fetch('https://example.com/')",
      network: { allow: ["example.com"] },
    });
    expect(answer.body.error).toMatchObject({
      kind: "runtime",
      name: "PermissionDeniedError",
      code: "E_DENIED",
      message: '$.fetch is not available on the "free" tier.',
      details: { denied: "$.fetch", tier: "free" },
    });
  });

  it("denies a service the tier does not include", async () => {
    const answer = await call(KEYS.beta, { code: "await $.example.greet('x')" });
    expect(answer.body.error).toMatchObject({
      name: "PermissionDeniedError",
      message: '$.example is not available on the "free" tier.',
    });
  });

  it("lets the standard tier use services and fetch", async () => {
    expect(await result(KEYS.acme, "return $.example.greet('acme')")).toBe("Hello, acme!");
  });

  it("caps timeoutMs at the tier's limit", async () => {
    const answer = await call(KEYS.beta, { code: "1", timeoutMs: 10_000 });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toBe(
      '`timeoutMs` must be an integer from 1 to 5000 on the "free" tier, got number 10000.',
    );
    expect((await call(KEYS.acmePro, { code: "1", timeoutMs: 30_000 })).status).toBe(200);
  });

  it("caps code size at the tier's limit", async () => {
    const code = `return ${JSON.stringify("x".repeat(70 * 1024))}.length`;
    const refused = await call(KEYS.beta, { code });
    expect(refused.status).toBe(413);
    expect(refused.body.error?.message).toBe('`code` is 71696 bytes; the limit is 65536 bytes on the "free" tier.');
    expect((await call(KEYS.acme, { code })).body.result).toBe(70 * 1024);
  });

  it("answers 429 with Retry-After past the tier's requests per minute", async () => {
    const statuses: number[] = [];
    let limited: Answer | undefined;
    for (let index = 0; index < 80 && !limited; index++) {
      const answer = await call(KEYS.gamma, { code: "1" });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(60);
    expect(limited?.body.error).toMatchObject({ code: "rate_limited" });
    expect(String(limited?.body.error?.message)).toMatch(
      /^Too many requests: the "free" tier allows 60 per minute; retry in \d+ s\.$/,
    );
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Other tenants are not affected.
    expect((await call(KEYS.beta, { code: "1" })).status).toBe(200);
  });

  it("counts every call on an opened object as a request, over capnweb", async () => {
    type Counter = { increment(): Promise<number> };
    type Api = { authenticate(key: string): { open(options: Record<string, unknown>): Counter } };
    const api = newWebSocketRpcSession<Api>(`${server.url.replace(/^http/, "ws")}/rpc`) as unknown as Api & Disposable;
    try {
      const counter = api.authenticate(KEYS.delta).open({
        code: 'import { RpcTarget } from "cloudflare:workers";\nexport default class extends RpcTarget { n = 0; increment() { return ++this.n; } }',
      });
      const counts: number[] = [];
      let refused: Record<string, unknown> | undefined;
      for (let index = 0; index < 80 && !refused; index++) {
        try {
          counts.push(await counter.increment());
        } catch (error) {
          refused = error as Record<string, unknown>;
        }
      }
      // open() took one request of the 60; the calls took the rest, in order, on one object.
      expect(counts).toEqual(Array.from({ length: counts.length }, (_, index) => index + 1));
      expect(counts.length).toBeGreaterThanOrEqual(55);
      expect(refused).toMatchObject({ code: "rate_limited" });
    } finally {
      api[Symbol.dispose]();
    }
  });
});
