import { describe, expect, it } from "vitest";
import { LimitError } from "../../runtime-prelude/errors";
import { CallTrace, MAX_CALLS_IN_FLIGHT, MAX_CALLS_PER_RUN } from "../../runtime-prelude/trace";

describe("CallTrace", () => {
  it("records each call with its outcome and returns the call's own promise", async () => {
    const trace = new CallTrace();
    const answer = Promise.resolve(7);
    expect(trace.record("$.kv.get", () => answer)).toBe(answer);
    await expect(trace.record("$.kv.put", () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(trace.records.map(({ name, ok }) => ({ name, ok }))).toEqual([
      { name: "$.kv.get", ok: true },
      { name: "$.kv.put", ok: false },
    ]);
  });

  it("refuses a call while too many are unanswered, and allows it again once some are", async () => {
    const trace = new CallTrace();
    const pending: (() => void)[] = [];
    for (let i = 0; i < MAX_CALLS_IN_FLIGHT; i++) {
      trace.record("$.kv.get", () => new Promise<void>((resolve) => pending.push(resolve)));
    }
    expect(() => trace.record("$.kv.get", () => Promise.resolve())).toThrow(LimitError);
    expect(() => trace.record("$.kv.get", () => Promise.resolve())).toThrow(/already waiting for answers/);
    pending[0]?.();
    await Promise.resolve();
    await Promise.resolve();
    await expect(trace.record("$.kv.get", () => Promise.resolve("ok"))).resolves.toBe("ok");
  });

  it("refuses calls past the per-run total", () => {
    const trace = new CallTrace();
    for (let i = 0; i < MAX_CALLS_PER_RUN; i++) trace.record("$.tools.x", () => i);
    let thrown: unknown;
    try {
      trace.record("$.tools.x", () => 0);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LimitError);
    expect(thrown).toMatchObject({
      kind: "resource",
      message: expect.stringContaining(`at most ${MAX_CALLS_PER_RUN}`),
    });
  });
});
