/** The executor over capnweb (/rpc), from a Node client, over WebSocket and HTTP batch. */

import { newHttpBatchRpcSession, newWebSocketRpcSession, RpcTarget } from "capnweb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { baseUrl } from "./client";

interface Execution {
  ok: boolean;
  result?: unknown;
  error?: Record<string, unknown>;
  logs: { level: string; message: string }[];
  calls: { name: string; ok: boolean }[];
  timings: { runMs: number };
}

interface CompiledSnippet {
  run(options?: Record<string, unknown>): Promise<Execution>;
}

interface ExecutorApi {
  execute(options: Record<string, unknown>): Promise<Execution>;
  compile(options: Record<string, unknown>): CompiledSnippet;
  types(): Promise<string>;
}

class Tools extends RpcTarget {
  readonly asked: string[] = [];

  lookup(word: string): { word: string; length: number } {
    this.asked.push(word);
    return { word, length: word.length };
  }

  explode(): never {
    const error = new Error("client tool failed") as Error & { code?: string };
    error.code = "E_CLIENT";
    throw error;
  }
}

const sessions: { [Symbol.dispose](): void }[] = [];

function websocket(): ExecutorApi {
  const api = newWebSocketRpcSession<ExecutorApi>(`${baseUrl().replace(/^http/, "ws")}/rpc`);
  sessions.push(api as unknown as { [Symbol.dispose](): void });
  return api as unknown as ExecutorApi;
}

function batch(): ExecutorApi {
  return newHttpBatchRpcSession<ExecutorApi>(`${baseUrl()}/rpc`) as unknown as ExecutorApi;
}

afterEach(() => {
  for (const session of sessions.splice(0)) session[Symbol.dispose]();
  vi.restoreAllMocks();
});

describe("capnweb over WebSocket", () => {
  it("executes code and returns the same result object as POST /execute", async () => {
    const result = await websocket().execute({ code: "return args.a + args.b", args: { a: 1, b: 2 } });
    expect(result).toMatchObject({ ok: true, result: 3, logs: [], calls: [] });
  });

  it("calls the client's RpcTarget tools from the sandbox", async () => {
    const tools = new Tools();
    const result = await websocket().execute({
      code: 'const a = await $.tools.lookup("pipelining");\nreturn a.length * 2',
      tools,
    });
    expect(result.result).toBe(20);
    expect(tools.asked).toEqual(["pipelining"]);
  });

  it("keeps a client tool's error code", async () => {
    const result = await websocket().execute({ code: "await $.tools.explode()", tools: new Tools() });
    expect(result.error).toMatchObject({ kind: "runtime", message: "client tool failed", code: "E_CLIENT", line: 1 });
  });

  it("streams logs to a client callback", async () => {
    const seen: string[] = [];
    const result = await websocket().execute({
      code: "console.log('a'); await scheduler.wait(10); console.log('b'); return 1",
      onLog: (entry: { message: string }) => {
        seen.push(entry.message);
      },
    });
    expect(result.result).toBe(1);
    expect(seen).toEqual(["a", "b"]);
  });

  it("pipelines a run on an unawaited compile", async () => {
    const api = websocket();
    const snippet = api.compile({ code: "(args) => args.n * 10" });
    expect((await snippet.run({ args: { n: 4 } })).result).toBe(40);
    expect((await snippet.run({ args: { n: 5 } })).result).toBe(50);
  });

  it("reports syntax errors as results, and bad options as errors", async () => {
    const api = websocket();
    expect((await api.execute({ code: "return (" })).error).toMatchObject({ kind: "syntax", line: 1 });
    await expect(api.execute({ code: 5 })).rejects.toMatchObject({ message: "`code` must be a string, got number 5." });
  });
});

describe("capnweb over HTTP batch", () => {
  it("sends a pipelined chain of calls in one round trip", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const api = batch();
    const result = await api.compile({ code: "return args.n + 1" }).run({ args: { n: 41 } });
    expect(result.result).toBe(42);
    const posts = fetchSpy.mock.calls.filter(([input]) =>
      String(input instanceof Request ? input.url : input).endsWith("/rpc"),
    );
    expect(posts).toHaveLength(1);
  });

  it("queues more than four executions of one batch behind the concurrency gate, and runs them all", async () => {
    const api = batch();
    const started = performance.now();
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, n) => api.execute({ code: `await scheduler.wait(150); return ${n}` })),
    );
    const elapsed = performance.now() - started;
    expect(runs.map((run) => run.result)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Ten runs of 150 ms, at most four at a time: three waves, so at least 450 ms.
    expect(elapsed).toBeGreaterThanOrEqual(440);
  });

  it("serves the $ type definitions", async () => {
    expect(await batch().types()).toContain("declare const $: FunctionsDo.Runtime;");
  });
});
