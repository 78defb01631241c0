import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LimitError } from "../../runtime-prelude/errors";
import { ALLOCATION_HEADROOM, formatBytes, RunState } from "../../runtime-prelude/run-state";
import { DEFAULT_LIMITS, type SandboxLimits, sandboxLimits } from "../../shared/limits";
import { FUEL_SLICE } from "../../shared/protocol";
import { thrownBy } from "./helpers";

// The prelude's clock is captured at load; here it reads the Date that the tests fake.
vi.mock("../../runtime-prelude/clock", () => ({ now: () => Date.now() }));

const START = Date.UTC(2025, 0, 1);
const MiB = 1024 * 1024;

function createRun(timeoutMs: number, limits: Partial<SandboxLimits> = {}): RunState {
  return new RunState(timeoutMs, { ...sandboxLimits(DEFAULT_LIMITS), ...limits });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: START });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("RunState: deadline", () => {
  it("sets the deadline from the start time and the timeout", () => {
    const run = createRun(250);
    expect(run.startedAt).toBe(START);
    expect(run.deadline).toBe(START + 250);
  });

  it("returns 0 from tick while the run is within its deadline", () => {
    const run = createRun(100);
    expect(run.tick()).toBe(0);
    vi.setSystemTime(START + 100);
    expect(run.tick()).toBe(0);
    expect(run.ended).toBeUndefined();
  });

  it("throws a timeout LimitError from tick once the deadline has passed", () => {
    const run = createRun(100);
    vi.setSystemTime(START + 101);
    const error = thrownBy(run.tick);
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "timeout", name: "TimeoutError" });
    expect((error as LimitError).message).toMatchInlineSnapshot(`"Execution exceeded the 100 ms deadline."`);
    expect(run.ended).toBe(error);
  });

  it("keeps throwing the same error after the deadline, even if the clock goes back", () => {
    const run = createRun(100);
    vi.setSystemTime(START + 500);
    const first = thrownBy(run.tick);
    vi.setSystemTime(START);
    expect(thrownBy(run.tick)).toBe(first);
    expect(thrownBy(run.tick)).toBe(first);
  });

  it("works as a detached function, as instrumented code calls it", () => {
    const { tick } = createRun(100);
    expect(tick()).toBe(0);
  });
});

describe("RunState: fuel", () => {
  it("allows timeoutMs * fuelPerMs units of work, in slices of FUEL_SLICE", () => {
    const run = createRun(2, { fuelPerMs: 5 * FUEL_SLICE });
    for (let slice = 0; slice < 10; slice++) expect(run.tick()).toBe(0);
    const error = thrownBy(run.tick);
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "timeout" });
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"Execution exceeded the 2 ms deadline: its budget of 10000 loop iterations and calls ran out."`,
    );
  });

  it("ends the run on fuel without the clock moving", () => {
    const run = createRun(1, { fuelPerMs: FUEL_SLICE });
    run.tick();
    const error = thrownBy(run.tick);
    expect(Date.now()).toBe(START);
    expect(run.ended).toBe(error);
    expect(thrownBy(run.tick)).toBe(error);
  });
});

describe("RunState: end and finish", () => {
  it("keeps the first reason it was ended with", () => {
    const run = createRun(100);
    const first = new LimitError("resource", "first");
    expect(run.end(first)).toBe(first);
    expect(run.end(new LimitError("timeout", "second"))).toBe(first);
    expect(run.ended).toBe(first);
    expect(thrownBy(run.tick)).toBe(first);
  });

  it("throws from tick after finish, so callbacks left behind stop", () => {
    const run = createRun(100);
    expect(run.isFinished).toBe(false);
    run.finish();
    expect(run.isFinished).toBe(true);
    const error = thrownBy(run.tick);
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "timeout", message: "The run has already ended." });
    expect(thrownBy(run.tick)).toBe(error);
  });

  it("throws the reason the run ended for after finish, if it had one", () => {
    const run = createRun(100);
    const reason = run.end(new LimitError("resource", "log flood"));
    run.finish();
    expect(thrownBy(run.tick)).toBe(reason);
  });
});

describe("RunState: allocate", () => {
  it("accepts an allocation of exactly the memory limit", () => {
    const run = createRun(100, { memoryBytes: 1000 });
    expect(() => run.allocate(1000, "new ArrayBuffer()")).not.toThrow();
  });

  it("ignores allocations of zero, negative or non-numeric sizes", () => {
    const run = createRun(100, { memoryBytes: 1000 });
    for (const bytes of [0, -5, Number.NaN]) run.allocate(bytes, "nothing");
    expect(() => run.allocate(1000, "all of it")).not.toThrow();
  });

  it("refuses a single allocation larger than the memory limit with a resource LimitError", () => {
    const run = createRun(100, { memoryBytes: 128 * MiB });
    const error = thrownBy(() => run.allocate(256 * MiB, "new ArrayBuffer()"));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "resource", name: "ResourceError" });
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"Memory limit exceeded: new ArrayBuffer() of 256.0 MiB would bring this run's bulk allocations to 256.0 MiB (limit: 128.0 MiB at once, 1.0 GiB in total)."`,
    );
  });

  it("refuses an allocation that would bring the running total past the headroom", () => {
    const run = createRun(100, { memoryBytes: 1000 });
    for (let i = 0; i < ALLOCATION_HEADROOM; i++) run.allocate(1000, "repeat()");
    const error = thrownBy(() => run.allocate(1, "repeat()"));
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"Memory limit exceeded: repeat() of 1 B would bring this run's bulk allocations to 7.8 KiB (limit: 1000 B at once, 7.8 KiB in total)."`,
    );
  });

  it("does not end the run when it refuses an allocation", () => {
    const run = createRun(100, { memoryBytes: 1000 });
    expect(() => run.allocate(5000, "new Uint8Array()")).toThrow(LimitError);
    expect(run.ended).toBeUndefined();
    expect(run.tick()).toBe(0);
  });

  it("does not count a refused allocation against the total", () => {
    const run = createRun(100, { memoryBytes: 1000 });
    for (let i = 0; i < ALLOCATION_HEADROOM - 1; i++) run.allocate(1000, "fill()");
    expect(() => run.allocate(1001, "fill()")).toThrow(LimitError);
    expect(() => run.allocate(1000, "fill()")).not.toThrow();
    expect(() => run.allocate(1, "fill()")).toThrow(LimitError);
  });
});

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [MiB, "1.0 MiB"],
    [128 * MiB, "128.0 MiB"],
    [1024 * MiB, "1.0 GiB"],
    [1536 * MiB, "1.5 GiB"],
  ])("formats %d bytes as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
