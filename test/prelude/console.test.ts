import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createConsole, LogCollector } from "../../runtime-prelude/console";
import { LimitError } from "../../runtime-prelude/errors";
import { RunState } from "../../runtime-prelude/run-state";
import { DEFAULT_LIMITS, type SandboxLimits, sandboxLimits } from "../../shared/limits";
import type { LogLevel } from "../../shared/protocol";
import { thrownBy } from "./helpers";

// The prelude's clock is captured at load; here it reads the Date that the tests fake.
vi.mock("../../runtime-prelude/clock", () => ({ now: () => Date.now() }));

const START = Date.UTC(2025, 0, 1);

function setup(limits: Partial<SandboxLimits> = {}) {
  const run = new RunState(1_000, { ...sandboxLimits(DEFAULT_LIMITS), ...limits });
  const logs = new LogCollector(run);
  const console = createConsole(logs);
  const messages = () => logs.entries.map((entry) => entry.message);
  const levels = () => logs.entries.map((entry) => entry.level);
  return { run, logs, console, messages, levels };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: START });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("createConsole: levels", () => {
  it.each<["log" | "info" | "warn" | "error" | "debug", LogLevel]>([
    ["log", "log"],
    ["info", "info"],
    ["warn", "warn"],
    ["error", "error"],
    ["debug", "debug"],
  ])("records console.%s at level %s", (method, level) => {
    const { console, logs } = setup();
    console[method]("hello", 1);
    expect(logs.entries).toEqual([{ level, message: "hello 1", ms: 0 }]);
  });

  it("keeps entries in call order across levels", () => {
    const { console, levels, messages } = setup();
    console.warn("one");
    console.log("two");
    console.error("three");
    expect(levels()).toEqual(["warn", "log", "error"]);
    expect(messages()).toEqual(["one", "two", "three"]);
  });

  it("records when each entry was logged, relative to the start of the run", () => {
    const { console, logs } = setup();
    console.log("first");
    vi.setSystemTime(START + 42);
    console.log("second");
    expect(logs.entries.map((entry) => entry.ms)).toEqual([0, 42]);
  });
});

describe("createConsole: formatting like util.format", () => {
  it.each<[string, unknown[], string]>([
    ["a number placeholder and an inspected object", ["a %d", 1, { b: [1] }], "a 1 { b: [ 1 ] }"],
    ["string and integer placeholders", ["%s is %i years", "Ann", 42.9], "Ann is 42 years"],
    ["a float placeholder", ["%f", "1.5"], "1.5"],
    ["a JSON placeholder", ["%j", { a: [1, "x"] }], '{"a":[1,"x"]}'],
    ["an object placeholder", ["%o", [1]], "[ 1, [length]: 1 ]"],
    ["a CSS placeholder by dropping it", ["%cstyled", "color: red"], "styled"],
    ["an escaped percent sign", ["100%% of %s", "it"], "100% of it"],
    ["placeholders without arguments as they are", ["%s and %d"], "%s and %d"],
    ["several primitives separated by spaces", [1, "two", true, null, undefined], "1 two true null undefined"],
    ["a string argument after the first without quotes", ["a", "b"], "a b"],
    ["a nested string inside an object with quotes", [{ s: "x" }], "{ s: 'x' }"],
    ["a BigInt with its suffix", [12n], "12n"],
    ["a symbol", [Symbol("s")], "Symbol(s)"],
    ["a Map", [new Map([["k", 1]])], "Map(1) { 'k' => 1 }"],
    ["a Set", [new Set([1, 2])], "Set(2) { 1, 2 }"],
    ["a Date as its ISO string", [new Date(START)], "2025-01-01T00:00:00.000Z"],
    ["a function", [function greet() {}], "[Function: greet]"],
    ["a class", [class Thing {}], "[class Thing]"],
    ["a nested object beyond depth 2 abbreviated", [{ a: { b: { c: { d: 1 } } } }], "{ a: { b: { c: [Object] } } }"],
    [
      "a circular object",
      [
        (() => {
          const value: Record<string, unknown> = {};
          value.self = value;
          return value;
        })(),
      ],
      "<ref *1> { self: [Circular *1] }",
    ],
    ["no arguments as an empty message", [], ""],
  ])("formats %s", (_, args, message) => {
    const { console, messages } = setup();
    console.log(...args);
    expect(messages()).toEqual([message]);
  });

  it("formats an Error with its stack", () => {
    const { console, messages } = setup();
    console.error("failed:", new TypeError("bad"));
    expect(messages()[0]).toMatch(/^failed: TypeError: bad\n {4}at /);
  });
});

describe("createConsole: the other methods", () => {
  it("records console.trace at debug level with its message and the caller's stack", () => {
    const { console, logs } = setup();
    console.trace("here %d", 1);
    const [entry] = logs.entries;
    expect(entry?.level).toBe("debug");
    expect(entry?.message).toMatch(/^Trace: here 1\n {4}at /);
    expect(entry?.message).toContain("console.test.ts");
    expect(entry?.message).not.toMatch(/^Error/m);
  });

  it("inspects a value with console.dir, honouring its options", () => {
    const { console, logs } = setup();
    console.dir({ a: { b: {} } }, { depth: 0 });
    console.dir("text");
    expect(logs.entries.map(({ level, message }) => [level, message])).toEqual([
      ["log", "{ a: [Object] }"],
      ["log", "'text'"],
    ]);
  });

  it("caps what console.dir may print, whatever its options ask", () => {
    const { console, logs } = setup();
    console.dir(
      Array.from({ length: 10_005 }, () => 0),
      { maxArrayLength: Number.POSITIVE_INFINITY, breakLength: Number.POSITIVE_INFINITY },
    );
    console.dir([1, 2, 3], { maxArrayLength: 2 });
    expect(logs.entries[0]?.message).toMatch(/\.\.\. 5 more items\s*\]$/);
    expect(logs.entries[1]?.message).toBe("[ 1, 2, ... 1 more item ]");
  });

  it("formats console.dirxml like console.log", () => {
    const { console, logs } = setup();
    console.dirxml("n=%d", 3, { x: 1 });
    expect(logs.entries).toMatchObject([{ level: "log", message: "n=3 { x: 1 }" }]);
  });

  it("records console.table at log level with the inspected data", () => {
    const { console, logs } = setup();
    console.table([{ a: 1 }]);
    expect(logs.entries).toMatchObject([{ level: "log", message: "[ { a: 1 } ]" }]);
  });

  it("logs nothing when an assertion holds", () => {
    const { console, logs } = setup();
    console.assert(true, "never shown");
    console.assert(1);
    expect(logs.entries).toEqual([]);
  });

  it.each<[string, unknown[], string]>([
    ["without a message", [], "Assertion failed"],
    ["with a message and its format arguments", ["x %s y", "Z"], "Assertion failed: x Z y"],
    ["with a message and extra values", ["expected", 1, { a: 2 }], "Assertion failed: expected 1 { a: 2 }"],
    ["with an object first", [{ a: 1 }, 2], "Assertion failed: { a: 1 } 2"],
  ])("records a failed assertion %s at error level", (_, args, message) => {
    const { console, logs } = setup();
    console.assert(false, ...args);
    expect(logs.entries).toMatchObject([{ level: "error", message }]);
  });

  it("counts calls per label and resets one label", () => {
    const { console, messages } = setup();
    console.count();
    console.count();
    console.count("x");
    console.countReset();
    console.count();
    console.count("x");
    console.countReset("never counted");
    expect(messages()).toEqual(["default: 1", "default: 2", "x: 1", "default: 1", "x: 2"]);
  });

  it("logs the time elapsed since console.time with timeLog and timeEnd", () => {
    const { console, messages } = setup();
    console.time("load");
    vi.setSystemTime(START + 25);
    console.timeLog("load", "step", { n: 1 });
    vi.setSystemTime(START + 40);
    console.timeEnd("load");
    expect(messages()).toEqual(["load: 25ms step { n: 1 }", "load: 40ms"]);
  });

  it("times the default label when none is given", () => {
    const { console, messages } = setup();
    console.time();
    console.timeEnd();
    expect(messages()).toEqual(["default: 0ms"]);
  });

  it("logs nothing for a timer that was never started or has ended", () => {
    const { console, messages } = setup();
    console.timeLog("missing");
    console.timeEnd("missing");
    console.time("t");
    console.timeEnd("t");
    console.timeLog("t");
    console.timeEnd("t");
    expect(messages()).toEqual(["t: 0ms"]);
  });

  it("indents every line inside a group, and nested groups further", () => {
    const { console, messages, levels } = setup();
    console.group("Outer %d", 1);
    console.log("a\nb");
    console.groupCollapsed("Inner");
    console.warn("deep");
    console.groupEnd();
    console.error("back");
    console.groupEnd();
    console.log("out");
    expect(messages()).toEqual(["Outer 1", "  a\n  b", "  Inner", "    deep", "  back", "out"]);
    expect(levels()).toEqual(["log", "log", "log", "warn", "error", "log"]);
  });

  it("indents without a label line when group has no arguments", () => {
    const { console, messages } = setup();
    console.group();
    console.log("x");
    expect(messages()).toEqual(["  x"]);
  });

  it("ignores a groupEnd without a group", () => {
    const { console, messages } = setup();
    console.groupEnd();
    console.groupEnd();
    console.log("x");
    console.group();
    console.log("y");
    expect(messages()).toEqual(["x", "  y"]);
  });
});

describe("LogCollector: limits", () => {
  it("accepts messages that fill the byte budget exactly", () => {
    const { console, messages, run } = setup({ logBytes: 10 });
    console.log("01234");
    console.log("56789");
    expect(messages()).toEqual(["01234", "56789"]);
    expect(run.ended).toBeUndefined();
  });

  it("ends the run with a resource LimitError thrown from the call that passes the byte budget", () => {
    const { console, messages, run } = setup({ logBytes: 20 });
    console.log("0123456789");
    const error = thrownBy(() => console.log("abcdefghijklmno"));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "resource", name: "ResourceError" });
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"Log output exceeded its limit (10000 entries or 20 B); the run was stopped."`,
    );
    expect(run.ended).toBe(error);
    expect(messages()).toEqual(["0123456789", "abcdefghij… [truncated]"]);
  });

  it("keeps what fit of a single oversized message, marked as truncated", () => {
    const { console, logs } = setup({ logBytes: 8 });
    expect(() => console.warn("x".repeat(1000))).toThrow(LimitError);
    expect(logs.entries).toMatchObject([{ level: "warn", message: "xxxxxxxx… [truncated]" }]);
  });

  it("ends the run with a resource LimitError on the call past the entry budget, keeping the entries that fit", () => {
    const { console, messages, run } = setup({ logEntries: 3 });
    console.log("1");
    console.log("2");
    console.log("3");
    const error = thrownBy(() => console.log("4"));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "resource" });
    expect((error as LimitError).message).toContain("3 entries");
    expect(run.ended).toBe(error);
    expect(messages()).toEqual(["1", "2", "3"]);
  });

  it("stops a flood of logs in a loop at the entry budget", () => {
    const { console, logs } = setup({ logEntries: 100 });
    let calls = 0;
    const flood = () => {
      for (;;) {
        console.log(calls++);
      }
    };
    expect(flood).toThrow(LimitError);
    expect(calls).toBe(101);
    expect(logs.entries).toHaveLength(100);
  });

  it("counts group indentation against the byte budget", () => {
    const { console } = setup({ logBytes: 5 });
    console.group();
    console.log("abc");
    expect(() => console.log("a")).toThrow(LimitError);
  });

  it("ignores logs after the limit, while ticks keep throwing the limit error", () => {
    const { console, logs, run } = setup({ logEntries: 1 });
    console.log("kept");
    const error = thrownBy(() => console.log("over"));
    expect(() => console.log("ignored")).not.toThrow();
    expect(() => console.error("ignored")).not.toThrow();
    expect(logs.entries).toHaveLength(1);
    expect(thrownBy(run.tick)).toBe(error);
  });

  it("throws the run's earlier end reason rather than a new one", () => {
    const { console, run } = setup({ logEntries: 1 });
    const timeout = run.end(new LimitError("timeout", "too slow"));
    console.log("kept");
    expect(thrownBy(() => console.log("over"))).toBe(timeout);
  });

  it("ignores logging after the run has finished", () => {
    const { console, logs, run } = setup({ logEntries: 1 });
    console.log("during");
    run.finish();
    expect(() => {
      console.log("after");
      console.log("and again");
    }).not.toThrow();
    expect(logs.entries.map((entry) => entry.message)).toEqual(["during"]);
  });

  it("keeps separate counts for separate runs", () => {
    const first = setup({ logEntries: 1 });
    const second = setup({ logEntries: 1 });
    first.console.log("a");
    second.console.log("b");
    expect(first.messages()).toEqual(["a"]);
    expect(second.messages()).toEqual(["b"]);
  });
});
