/**
 * The Executor RPC entrypoint, driven by a real second Worker (test/workers/agent) that calls it
 * over a service binding with its own RpcTarget tools.
 */

import { describe, expect, it } from "vitest";
import { useAgent } from "./agent-server";

const scenario = useAgent();

interface Execution {
  ok: boolean;
  result?: unknown;
  error?: Record<string, unknown>;
  logs: unknown[];
  calls: { name: string; ok: boolean }[];
}

describe("the Executor entrypoint over a service binding", () => {
  it("returns the same result object as POST /execute", async () => {
    const { result } = await scenario<{ result: Execution }>("tools");
    expect(Object.keys(result)).toEqual(["ok", "result", "logs", "calls", "id", "cached", "timings"]);
    expect(result.ok).toBe(true);
  });

  it("sends $.tools calls back to the caller, where they run", async () => {
    const { result, calls, memory } = await scenario<{ result: Execution; calls: string[]; memory: object }>("tools");
    expect(result.result).toBe(2);
    expect(calls).toEqual(["search:workers", "remember:first"]);
    expect(memory).toEqual({ first: "First result for workers" });
    expect(result.calls.map((call) => call.name)).toEqual(["tools.search", "tools.remember"]);
  });

  it("lets a tool call back into the executor while the run waits on it", async () => {
    const { result, calls } = await scenario<{ result: Execution; calls: string[] }>("nested");
    expect([result.ok, result.result, calls]).toEqual([true, 42, ["nested"]]);
  });

  it("keeps a tool's error name, code and details, located at the call", async () => {
    const { result } = await scenario<{ result: Execution }>("failure");
    expect(result.error).toMatchObject({
      kind: "runtime",
      name: "ToolError",
      message: "The tool failed on purpose.",
      code: "E_TOOL",
      details: { retryable: false },
      line: 2,
    });
  });

  it("lets the snippet catch a tool's error and read its properties", async () => {
    const execution = await scenario<Execution>("caught");
    expect(execution.result).toEqual(["ToolError", "E_TOOL", { retryable: false }, "The tool failed on purpose."]);
  });

  it("uses a stub a tool returned for further calls", async () => {
    const { result } = await scenario<{ result: Execution }>("stub");
    expect(result.result).toEqual(["one", "two"]);
  });

  it("pipelines a call on a tool's unawaited result", async () => {
    expect((await scenario<Execution>("pipelined")).result).toBe(1);
  });

  it("streams log entries to onLog while the run goes on, before the result", async () => {
    const { result, seen } = await scenario<{
      result: Execution;
      seen: { message: string; receivedBeforeResult: boolean }[];
    }>("logs");
    expect(result.result).toBe("done");
    expect(seen.map((entry) => [entry.message, entry.receivedBeforeResult])).toEqual([
      ["first", true],
      ["second { n: 2 }", true],
    ]);
  });

  it("makes no tool calls after the run has settled", async () => {
    const { result, calls } = await scenario<{ result: Execution; calls: string[] }>("late");
    expect(result.result).toBe("returned");
    expect(calls).toEqual([]);
  });

  it("explains $.tools when no tools were passed", async () => {
    const execution = await scenario<Execution>("untooled");
    expect(execution.error).toMatchObject({ name: "ToolsUnavailableError", line: 1 });
  });

  it("rejects invalid options with the same message as POST /execute", async () => {
    expect(await scenario("invalid")).toEqual({
      threw: true,
      name: "ServiceError",
      code: "invalid_request",
      message: "`code` must be a string, got number 42.",
    });
  });

  it("takes the tenant and tier from the binding's props", async () => {
    const { local, free, freeFetch } = await scenario<{
      local: string;
      free: string;
      freeFetch: Record<string, unknown>;
    }>("tenant");
    expect([local, free]).toEqual(["local", "agent-free"]);
    expect(freeFetch).toMatchObject({ name: "PermissionDeniedError", code: "E_DENIED" });
  });

  it("serves parallel executions from one caller", async () => {
    const { results } = await scenario<{ results: number[] }>("parallel");
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("serves the $ type definitions", async () => {
    const { types } = await scenario<{ types: string }>("types");
    expect(types).toContain("declare const $: FunctionsDo.Runtime;");
  });
});
