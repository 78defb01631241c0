/**
 * Secrets stay on the host (docs/api.md, "Nothing of the host leaks into the sandbox"; docs/api.md, "Keys,
 * tenants and tiers"): the configured API keys and FETCH_CREDENTIALS never appear in a response,
 * whether the run succeeded or failed, in anything the sandbox can reach, or in the server's own
 * output. A second server is started with fresh random secrets so that any trace of them is a leak.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";
import { type Execution, execute } from "./client";
import { receivedBy, STAND_IN_HOSTS, type StandIn, startStandIn, TEST_CREDENTIAL } from "./stand-in";

const random = () => crypto.randomUUID().replaceAll("-", "");
const KEYS = { pro: `sk_test_pro_${random()}`, free: `sk_test_free_${random()}` };
const CREDENTIALS = { authorization: `Bearer cred_${random()}`, "x-api-key": `xkey_${random()}` };
/** Every configured secret; none may appear anywhere the caller or the sandbox can see, or in the logs. */
const SECRETS = [KEYS.pro, KEYS.free, CREDENTIALS.authorization, CREDENTIALS["x-api-key"]];

let server: DevServer;
let standIn: StandIn;
const output: string[] = [];
/** Every response the tests received from the second server, as text with its headers. */
const seen: string[] = [];

beforeAll(async () => {
  standIn = await startStandIn();
  server = await startDevServer({
    args: [
      "--var",
      `API_KEYS:${JSON.stringify({ [KEYS.pro]: { tenant: "secretive", tier: "pro" }, [KEYS.free]: { tenant: "thrifty", tier: "free" } })}`,
      "--var",
      `FETCH_CREDENTIALS:${JSON.stringify({ "api.example.test": CREDENTIALS })}`,
      "--var",
      `NETWORK_DEV_ROUTES:${JSON.stringify(Object.fromEntries(STAND_IN_HOSTS.map((host) => [host, standIn.origin])))}`,
    ],
    output: (text: string) => output.push(text),
  });
});

afterAll(async () => {
  await server?.stop();
  await standIn?.close();
});

/** The secrets that occur in `text`. */
function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

async function request(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  seen.push(`${response.status} ${JSON.stringify([...response.headers])}\n${text}`);
  return { status: response.status, text };
}

async function run(key: string | undefined, body: Record<string, unknown>): Promise<Execution> {
  const { status, text } = await request("/execute", {
    method: "POST",
    headers: key ? { authorization: `Bearer ${key}` } : {},
    body: JSON.stringify(body),
  });
  expect(status, text).toBe(200);
  return JSON.parse(text) as Execution;
}

/** A snippet that collects every string it can reach from globalThis, $, process and the sandbox's files. */
const WALK = `
const strings = new Set();
const seen = new Set();
const visit = (value, depth) => {
  if (typeof value === "string") { strings.add(value); return; }
  if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value) || depth > 6) return;
  seen.add(value);
  let keys = [];
  try { keys = Reflect.ownKeys(value); } catch { return; }
  for (const key of keys) {
    strings.add(String(key));
    try {
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
      if (descriptor && "value" in descriptor) visit(descriptor.value, depth + 1);
      else if (descriptor?.get) visit(Reflect.apply(descriptor.get, value, []), depth + 1);
    } catch {}
  }
};
visit(globalThis, 0);
visit($, 0);
visit(process.env, 0);
const nodeProcess = process.getBuiltinModule("node:process");
visit(nodeProcess.env, 0);
const fs = process.getBuiltinModule("node:fs");
for (const file of fs.readdirSync("/", { recursive: true })) {
  try { strings.add(fs.readFileSync("/" + file, "utf8")); } catch {}
}
try { strings.add(String(await $.example.greet("walker"))); } catch (error) { strings.add(String(error)); }
return [...strings].join("\\n");
`;

describe("responses", () => {
  it("carry no secret, whatever the run did", async () => {
    const allow = { network: { allow: ["api.example.test", "other.example.test"] } };
    const toOther = encodeURIComponent("http://other.example.test/echo");
    const runs: [string | undefined, Record<string, unknown>][] = [
      [KEYS.pro, { code: "return $.ctx" }],
      [KEYS.pro, { code: "const = 1" }],
      [KEYS.pro, { code: "throw Object.assign(new Error('boom'), { details: { ctx: $.ctx } })" }],
      [KEYS.pro, { code: "while (true) {}", timeoutMs: 300 }],
      [KEYS.pro, { code: "while (true) console.log('flood')" }],
      [KEYS.pro, { code: "return { get x() { throw new Error('encode') } }" }],
      [KEYS.pro, { code: "await $.kv.put('big', 'x'.repeat(5 * 1024 * 1024))" }],
      [KEYS.pro, { code: "return (await $.fetch('http://api.example.test/record/one')).text()", ...allow }],
      [
        KEYS.pro,
        {
          code: `return (await (await $.fetch('http://api.example.test/redirect?to=${toOther}')).json()).headers`,
          ...allow,
        },
      ],
      [KEYS.pro, { code: "return (await $.fetch('http://api.example.test:8443/record/port')).status", ...allow }],
      [KEYS.pro, { code: "return (await $.fetch('http://127.0.0.1/')).status", ...allow }],
      [KEYS.pro, { code: "return (await fetch('http://api.example.test/echo')).json()", ...allow }],
      [KEYS.pro, { code: "return (await $.fetch('http://api.example.test/missing')).status" }],
      [KEYS.free, { code: "await $.fetch('http://api.example.test/record/free')", ...allow }],
      [KEYS.free, { code: "await $.example.greet('x')" }],
      [KEYS.pro, { code: WALK }],
    ];
    for (const [key, body] of runs) {
      const execution = await run(key, body);
      expect(leaks(JSON.stringify(execution)), String(body.code)).toEqual([]);
    }
  });

  it("carry no secret when the request is refused", async () => {
    const json = (code: string) => JSON.stringify({ code });
    const attempts: [string, RequestInit][] = [
      ["/execute", { method: "POST", body: json("1") }],
      ["/execute", { method: "POST", headers: { authorization: `Bearer ${KEYS.pro}x` }, body: json("1") }],
      ["/execute", { method: "POST", headers: { authorization: `Bearer ${KEYS.pro.slice(0, -1)}` }, body: json("1") }],
      ["/execute", { method: "POST", headers: { authorization: `Basic ${btoa(`${KEYS.pro}:`)}` }, body: json("1") }],
      ["/execute", { method: "POST", headers: { authorization: `bearer  ${KEYS.pro}  x` }, body: json("1") }],
      ["/execute", { method: "POST", headers: { "x-api-key": KEYS.pro }, body: json("1") }],
      [`/execute?key=${KEYS.pro}`, { method: "POST", body: json("1") }],
      [
        "/execute",
        { method: "POST", headers: { authorization: `Bearer ${KEYS.pro}` }, body: `{"code": "${KEYS.free}` },
      ],
      ["/execute", { method: "POST", headers: { authorization: `Bearer ${KEYS.pro}` }, body: "[]" }],
      ["/execute", { method: "PUT", headers: { authorization: `Bearer ${KEYS.pro}` } }],
      ["/types", {}],
      ["/types", { headers: { authorization: `Bearer ${KEYS.free}` } }],
      ["/health", {}],
      ["/mcp", { method: "POST", body: "{" }],
      ["/mcp", { method: "POST", headers: { authorization: `Bearer ${KEYS.pro}` }, body: "{" }],
      ["/rpc", { method: "POST", headers: { authorization: `Bearer ${KEYS.pro}x` }, body: "" }],
      [`/${KEYS.pro}`, {}],
    ];
    for (const [path, init] of attempts) {
      const { status, text } = await request(path, init);
      expect(status, `${path} ${text}`).toBeLessThan(500);
      // The request's own bytes may be echoed to their sender; the service's secrets never.
      const echoed = `${path}${String(init.body ?? "")}${JSON.stringify(init.headers ?? {})}`;
      expect(
        leaks(text).filter((secret) => !echoed.includes(secret)),
        `${path}: ${text.slice(0, 300)}`,
      ).toEqual([]);
    }
  });

  it("never echo a key the caller sent, even a wrong one", async () => {
    for (const sent of [`${KEYS.pro}x`, KEYS.pro.slice(0, 20)]) {
      const { status, text } = await request("/execute", {
        method: "POST",
        headers: { authorization: `Bearer ${sent}` },
        body: JSON.stringify({ code: "1" }),
      });
      expect(status).toBe(401);
      expect(text).not.toContain(sent);
    }
  });
});

describe("the sandbox", () => {
  it("reaches no secret through globalThis, $, process.env or its own files", async () => {
    const walk = await run(KEYS.pro, { code: WALK });
    expect(walk.ok, JSON.stringify(walk.error)).toBe(true);
    const reachable = String(walk.result);
    // The walk really ran: it found the prelude's source and $'s members.
    expect(reachable).toContain("requestId");
    expect(reachable.length).toBeGreaterThan(10_000);
    expect(leaks(reachable)).toEqual([]);
  });

  it("never sees the credential, which is attached host-side to its own host only", async () => {
    const allow = { network: { allow: ["api.example.test", "other.example.test"] } };
    const toOther = encodeURIComponent("http://other.example.test/echo?hop=redirected");
    const execution = await run(KEYS.pro, {
      code: [
        "const r = await $.fetch('http://api.example.test/record/attached', { headers: { authorization: 'mine' } });",
        `const redirected = await (await $.fetch('http://api.example.test/redirect?to=${toOther}')).json();`,
        "const plain = await (await fetch('http://api.example.test/echo?via=plain')).json();",
        "return { status: r.status, responseHeaders: [...r.headers], redirected: redirected.headers, plain: plain.headers };",
      ].join("\n"),
      ...allow,
    });
    expect(execution.ok, JSON.stringify(execution.error)).toBe(true);
    expect(leaks(JSON.stringify(execution))).toEqual([]);
    // The credential did reach the destination it is configured for, replacing the snippet's own header.
    const received = await receivedBy(standIn.origin);
    const attached = received.find((entry) => entry.path === "/record/attached");
    expect(attached?.headers.authorization).toBe(CREDENTIALS.authorization);
    expect(attached?.headers["x-api-key"]).toBe(CREDENTIALS["x-api-key"]);
    for (const entry of received.filter(
      (item) => item.path.includes("hop=redirected") || item.path.includes("via=plain"),
    )) {
      expect(leaks(JSON.stringify(entry.headers)), entry.path).toEqual([]);
    }
  });

  it("does not see the shared server's credential either, failing or not", async () => {
    const walk = await execute({ code: WALK });
    expect(walk.ok, JSON.stringify(walk.error)).toBe(true);
    expect(JSON.stringify(walk)).not.toContain(TEST_CREDENTIAL);
    const refused = await execute({
      code: "await $.fetch('http://api.example.test/redirect?to=' + encodeURIComponent('http://127.0.0.1:1/'))",
      network: { allow: ["api.example.test"] },
    });
    expect(refused.error?.name).toBe("NetworkRefusedError");
    expect(JSON.stringify(refused)).not.toContain(TEST_CREDENTIAL);
  });
});

// Runs last (tests in a file run in order): by then every request above, and its error paths, has been served.
describe("the server's own output", () => {
  it("holds no secret after all of the above, including every error path", async () => {
    expect(seen.length, "the tests above sent their requests").toBeGreaterThan(30);
    // Give the runtime a moment to flush what it logged for the last requests.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const log = output.join("");
    expect(leaks(log), log.slice(-2000)).toEqual([]);
  });
});

describe("malformed /rpc batches", () => {
  it("answers 400 invalid_request", async () => {
    const { status, text } = await request("/rpc", { method: "POST", body: "{}" });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("neither echoes nor logs the message, which may carry an API key", async () => {
    const before = output.join("").length;
    const { status, text } = await request("/rpc", {
      method: "POST",
      body: JSON.stringify({ authenticate: KEYS.pro }),
    });
    expect(status).toBe(400);
    expect(text).not.toContain(KEYS.pro);
    // A well-formed request after it, so its log lines are written before the check.
    expect((await request("/health", {})).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(output.join("").slice(before)).not.toContain(KEYS.pro);
  });
});
