import { describe, expect, it } from "vitest";
import { RunState } from "../../runtime-prelude/run-state";
import { createRuntime } from "../../runtime-prelude/runtime";
import { CallTrace } from "../../runtime-prelude/trace";
import { DEFAULT_LIMITS, sandboxLimits } from "../../shared/limits";
import type { RunRequest } from "../../shared/protocol";
import type { RuntimeApi, ToolsApi } from "../../shared/runtime-api";

function setup(tools?: ToolsApi) {
  const run = new RunState(1000, sandboxLimits(DEFAULT_LIMITS));
  const trace = new CallTrace();
  const host = { kvGet: async (key: unknown) => `value of ${String(key)}` } as unknown as RuntimeApi;
  const request: RunRequest = {
    type: "run",
    args: "null",
    timeoutMs: 1000,
    limits: sandboxLimits(DEFAULT_LIMITS),
    requestId: "r1",
    tenant: "acme",
    runtime: host,
    services: [],
    ...(tools && { tools }),
  };
  const $ = createRuntime(run, request, trace) as unknown as {
    kv: { get(key: string): Promise<string> };
    tools: Record<string, (...args: unknown[]) => unknown>;
    ctx: object;
  };
  return { run, trace, $ };
}

describe("createRuntime", () => {
  it("forwards $.kv calls to the host and traces them", async () => {
    const { $, trace } = setup();
    expect(await $.kv.get("k")).toBe("value of k");
    await Promise.resolve();
    expect(trace.records.map((record) => [record.name, record.ok])).toEqual([["kv.get", true]]);
  });

  it("calls tools through the bridge with their name and arguments", () => {
    const calls: unknown[] = [];
    const { $ } = setup({ call: (name, args) => calls.push([name, args]) });
    $.tools.search?.("workers", 2);
    expect(calls).toEqual([["search", ["workers", 2]]]);
  });

  it("refuses tool calls once the run has finished", () => {
    const { $, run } = setup({ call: () => "unreachable" });
    run.finish();
    expect(() => $.tools.search?.("late")).toThrow(
      "$.tools.search() was called after the run settled; it was refused.",
    );
  });

  it("explains $.tools when the caller passed none", () => {
    const { $ } = setup();
    expect(() => $.tools.search?.()).toThrow("$.tools.search() has no tools to call");
  });

  it("is not a thenable, so `await $.tools` is harmless", async () => {
    const { $ } = setup({ call: () => 1 });
    expect(await $.tools).toBe($.tools);
  });

  it("gives read-only run facts", () => {
    const { $ } = setup();
    expect($.ctx).toMatchObject({ tenant: "acme", requestId: "r1", timeoutMs: 1000 });
    expect(Object.isFrozen($.ctx)).toBe(true);
  });
});
