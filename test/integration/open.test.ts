/**
 * RPC on a module's exports (`open`): over Workers RPC from a real second Worker (test/workers/agent,
 * scenarios in its src/open.ts), and over capnweb from a Node client.
 */

import { newHttpBatchRpcSession, newWebSocketRpcSession } from "capnweb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CHAT } from "../workers/agent/src/open";
import { useAgent } from "./agent-server";
import { baseUrl } from "./client";

const scenario = useAgent();

interface Items {
  room: string;
  user: string;
  items: string[];
}

describe("open() over Workers RPC", () => {
  it("hands out session stubs that keep their own state", async () => {
    const body = await scenario<{ counts: number[]; ann: Items; bob: Items; fresh: Items }>("open-session");
    expect(body.counts).toEqual([1, 2, 1]);
    expect(body.ann).toEqual({ room: "lobby", user: "ann", items: ["tea", "cake"] });
    expect(body.bob).toEqual({ room: "lobby", user: "bob", items: ["coffee"] });
    // Another open() evaluates the module again: nothing is shared with the first.
    expect(body.fresh).toEqual({ room: "garden", user: "ann", items: [] });
  });

  it("runs a pipelined call chain on unawaited results", async () => {
    const body = await scenario<{ count: number; list: Items }>("open-pipelined");
    expect(body).toEqual({ count: 1, list: { room: "pipes", user: "bob", items: [] } });
  });

  it("calls the caller's callbacks and returns functions as stubs", async () => {
    const body = await scenario<{ result: number[]; seen: number[]; added: number }>("open-callback");
    expect(body).toEqual({ result: [10, 20, 30], seen: [1, 2, 3], added: 42 });
  });

  it("rejects with the thrown error's name, own properties and the user's line", async () => {
    const body = await scenario<Record<string, Record<string, unknown>>>("open-errors");
    expect(body.quota).toMatchObject({
      name: "QuotaError",
      message: "Only 3 items per session",
      kind: "runtime",
      code: "E_QUOTA",
      details: { limit: 3 },
      line: 20,
      column: 39,
    });
    expect(body.quota?.frame).toContain("> 20 |     if (this.items.length >= 3) throw new QuotaError(3);");
  });

  it("stops a spinning method at its deadline and keeps the session usable", async () => {
    const body = await scenario<{ timeout: Record<string, unknown>; spinMs: number; after: Items }>("open-errors");
    expect(body.timeout).toMatchObject({ kind: "timeout", line: 29 });
    expect(body.spinMs).toBeLessThan(5_000);
    expect(body.after.items).toEqual(["1", "2", "3"]);
  });

  it("explains a missing export, a syntax error and a value that cannot cross RPC", async () => {
    const body = await scenario<Record<string, Record<string, unknown>>>("open-errors");
    expect(body.missing).toMatchObject({
      name: "TypeError",
      message: 'The module has no export named "Room". It exports: Chat, Counter.',
    });
    expect(body.syntax).toMatchObject({ kind: "syntax", name: "SyntaxError", line: 2, column: 19 });
    expect(body.leak?.message).toMatch(/^A Point instance cannot be returned over RPC: extend RpcTarget/);
  });

  it("gives methods `$` for the caller's tenant", async () => {
    expect(await scenario("open-runtime")).toEqual({ remembered: { n: 1 }, tenant: "local" });
  });

  it("returns RpcTargets nested in plain data as stubs", async () => {
    expect(await scenario("open-nested")).toEqual({ left: 1, right: { room: "r", user: "b", items: [] }, plain: 1 });
  });

  it("instantiates an RpcTarget class with constructor args, and opens objects and functions", async () => {
    expect(await scenario("open-class")).toEqual({ counts: [11, 16] });
    expect(await scenario("open-object")).toEqual({ greeting: "hello ann", doubled: 42 });
  });

  it("opens a class re-exported from another file of a multi-file module", async () => {
    expect(await scenario("open-modules")).toEqual({ bumps: [1, 2] });
  });

  it("streams each call's logs to onLog", async () => {
    expect(await scenario("open-logs")).toEqual({ seen: ["ann added tea", "ann added cake"] });
  });

  it("refuses bad options with invalid_request", async () => {
    const body = await scenario<Record<string, Record<string, unknown>>>("open-invalid");
    expect(body.notObject).toMatchObject({ code: "invalid_request" });
    expect(body.args).toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining("`args` must be an array"),
    });
    expect(body.tools).toMatchObject({ code: "invalid_request", message: expect.stringContaining("takes no `tools`") });
  });
});

interface CapnwebSession {
  add(item: string): Promise<number>;
  list(): Promise<Items>;
}

interface CapnwebChat {
  join(user: string): CapnwebSession;
  each(values: number[], fn: (value: number) => number): Promise<number[]>;
}

interface CapnwebApi {
  open(options: Record<string, unknown>): CapnwebChat;
}

const sessions: { [Symbol.dispose](): void }[] = [];

afterEach(() => {
  for (const session of sessions.splice(0)) session[Symbol.dispose]();
  vi.restoreAllMocks();
});

describe("open() over capnweb", () => {
  it("keeps a session across calls over a WebSocket, with callbacks and logs", async () => {
    const api = newWebSocketRpcSession<CapnwebApi>(`${baseUrl().replace(/^http/, "ws")}/rpc`);
    sessions.push(api as unknown as { [Symbol.dispose](): void });
    const logs: string[] = [];
    const room = (api as unknown as CapnwebApi).open({
      code: CHAT,
      export: "Chat",
      props: { room: "web" },
      onLog: (entry: { message: string }) => void logs.push(entry.message),
    });
    const ann = room.join("ann");
    expect(await ann.add("tea")).toBe(1);
    expect(await ann.add("cake")).toBe(2);
    expect(await ann.list()).toEqual({ room: "web", user: "ann", items: ["tea", "cake"] });
    expect(await room.each([1, 2], (value) => value + 1)).toEqual([2, 3]);
    expect(logs).toEqual(["ann added tea", "ann added cake"]);
  });

  it("sends open, join and add in one HTTP round trip", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const api = newHttpBatchRpcSession<CapnwebApi>(`${baseUrl()}/rpc`) as unknown as CapnwebApi;
    const count = await api
      .open({ code: CHAT, export: "Chat", props: { room: "batch" } })
      .join("ann")
      .add("x");
    expect(count).toBe(1);
    const posts = fetchSpy.mock.calls.filter(([input]) =>
      String(input instanceof Request ? input.url : input).endsWith("/rpc"),
    );
    expect(posts).toHaveLength(1);
  });

  it("rejects with the error's own properties and location", async () => {
    const api = newWebSocketRpcSession<CapnwebApi>(`${baseUrl().replace(/^http/, "ws")}/rpc`);
    sessions.push(api as unknown as { [Symbol.dispose](): void });
    const session = (api as unknown as CapnwebApi).open({ code: CHAT, export: "Chat", props: { room: "e" } }).join("a");
    for (const item of ["1", "2", "3"]) await session.add(item);
    await expect(session.add("4")).rejects.toMatchObject({
      message: "Only 3 items per session",
      code: "E_QUOTA",
      details: { limit: 3 },
      kind: "runtime",
      line: 20,
    });
  });
});

describe("open() limits per capnweb session", () => {
  it("holds at most 32 opened objects at once, and frees a slot when one is released", async () => {
    const api = newWebSocketRpcSession<CapnwebApi>(`${baseUrl().replace(/^http/, "ws")}/rpc`);
    sessions.push(api as unknown as { [Symbol.dispose](): void });
    type Counter = { increment(): Promise<number> } & Disposable;
    const open = () =>
      (api as unknown as CapnwebApi).open({ code: CHAT, export: "Counter", args: [0] }) as unknown as Counter;
    const held = Array.from({ length: 32 }, open);
    expect(await Promise.all(held.map((counter) => counter.increment()))).toEqual(Array(32).fill(1));
    await expect(open().increment()).rejects.toMatchObject({
      code: "limit_reached",
      message: expect.stringContaining("already holds 32 opened objects"),
    });
    held[0]?.[Symbol.dispose]();
    // The release reaches the server asynchronously: the next open succeeds once it has.
    let count: number | undefined;
    for (let attempt = 0; attempt < 50 && count === undefined; attempt++) {
      count = await open()
        .increment()
        .catch(() => undefined);
      if (count === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(count).toBe(1);
  });
});

describe("open() on a stored function", () => {
  it("opens an export of the latest or a named version, for the caller's tenant only", async () => {
    const store = async (body: Record<string, unknown>) => {
      const response = await fetch(`${baseUrl()}/functions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      return ((await response.json()) as { version: string }).version;
    };
    const counter = (step: number) => ({
      "index.js": 'export { Counter } from "./counter.js";',
      "counter.js": `import { RpcTarget } from "cloudflare:workers";\nexport class Counter extends RpcTarget {\n  n = 0;\n  bump() { return this.n += ${step}; }\n}`,
    });
    const first = await store({ name: "open-counter", modules: counter(1), mainModule: "index.js" });
    await store({ name: "open-counter", modules: counter(10), mainModule: "index.js" });

    const api = newWebSocketRpcSession<CapnwebApi>(`${baseUrl().replace(/^http/, "ws")}/rpc`);
    sessions.push(api as unknown as { [Symbol.dispose](): void });
    type Bumper = { bump(): Promise<number> };
    const open = (options: Record<string, unknown>) =>
      (api as unknown as CapnwebApi).open(options) as unknown as Bumper;
    const latest = open({ function: "open-counter", export: "Counter" });
    expect([await latest.bump(), await latest.bump()]).toEqual([10, 20]);
    const pinned = open({ function: "open-counter", version: first, export: "Counter" });
    expect(await pinned.bump()).toBe(1);
    await expect(open({ function: "no-such-function" }).bump()).rejects.toMatchObject({
      code: "not_found",
      message: 'There is no function "no-such-function".',
    });
    await expect(open({ function: "open-counter", code: "return 1" }).bump()).rejects.toMatchObject({
      code: "invalid_request",
    });
  });
});

describe("a WorkerEntrypoint class as an HTTP function", () => {
  it("answers /fn/:name/* from the fetch method of a default-exported class", async () => {
    const code =
      'import { WorkerEntrypoint } from "cloudflare:workers";\nexport default class extends WorkerEntrypoint {\n  async fetch(request) {\n    return new Response("class " + new URL(request.url).pathname);\n  }\n}';
    const stored = await fetch(`${baseUrl()}/functions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "entrypoint-class", code }),
    });
    expect(stored.status, await stored.clone().text()).toBeLessThan(300);
    const response = await fetch(`${baseUrl()}/fn/entrypoint-class/hello`);
    expect([response.status, await response.text()]).toEqual([200, "class /hello"]);
  });
});
