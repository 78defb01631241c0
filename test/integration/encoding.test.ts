/** How results and logs come back (docs/api.md, "result" and "logs"). */

import { describe, expect, it } from "vitest";
import { execute, resultOf } from "./client";

describe("result encoding", () => {
  it.each([
    ["a number", "return 1.5", 1.5],
    ["a string", "return 'hé \\u2028 \"quoted\"'", 'hé \u2028 "quoted"'],
    ["null", "return null", null],
    ["booleans", "return [true, false]", [true, false]],
    ["nested plain data", "return { a: [1, { b: 'c' }], d: null }", { a: [1, { b: "c" }], d: null }],
    ["a Date as an ISO string", "return new Date(Date.UTC(2026, 0, 2, 3, 4, 5))", "2026-01-02T03:04:05.000Z"],
    ["an invalid Date as null", "return new Date(NaN)", null],
    ["a BigInt as a decimal string", "return 12345678901234567890n", "12345678901234567890"],
    ["a Map with string keys as an object", "return new Map([['a', 1], ['b', [2]]])", { a: 1, b: [2] }],
    [
      "a Map with other keys as entries",
      "return new Map([[1, 'one'], [{ k: 2 }, 'two']])",
      [
        [1, "one"],
        [{ k: 2 }, "two"],
      ],
    ],
    ["a Set as an array", "return new Set([3, 1, 3, 2])", [3, 1, 2]],
    ["a typed array as an array", "return new Float64Array([1.5, -2])", [1.5, -2]],
    ["a BigInt64Array as strings", "return new BigInt64Array([1n, -2n])", ["1", "-2"]],
    ["an ArrayBuffer as bytes", "return new Uint8Array([7, 8]).buffer", [7, 8]],
    ["NaN and Infinity as null", "return [NaN, Infinity, -Infinity]", [null, null, null]],
    ["negative zero as 0", "return -0", 0],
    ["a circular reference", "const a = { name: 'a' }; a.self = a; return a", { name: "a", self: "[Circular]" }],
    ["a shared (not circular) reference twice", "const s = { v: 1 }; return [s, s]", [{ v: 1 }, { v: 1 }]],
    ["undefined inside arrays as null", "return [1, undefined, 3]", [1, null, 3]],
    ["holes in sparse arrays as null", "return [1, , 3]", [1, null, 3]],
    ["undefined properties as absent", "return { a: 1, b: undefined }", { a: 1 }],
    ["a function as a description", "return { f: function named() {} }", { f: "[Function: named]" }],
    ["a symbol as its description", "return Symbol('s')", "Symbol(s)"],
    [
      "an Error with its own properties",
      "const e = new TypeError('bad'); e.code = 'E1'; return e",
      { name: "TypeError", message: "bad", code: "E1" },
    ],
    ["a value with toJSON", "return { toJSON() { return 'custom' } }", "custom"],
    ["boxed primitives", "return [Object(1), Object('s'), Object(true)]", [1, "s", true]],
    ["a RegExp as its source", "return /a+b/gi", "/a+b/gi"],
    [
      "a __proto__ key as plain data",
      'return JSON.parse(\'{"__proto__": {"polluted": true}}\')',
      JSON.parse('{"__proto__": {"polluted": true}}'),
    ],
    ["a class instance's own fields", "class P { x = 1; get y() { return 2 } }; return new P()", { x: 1 }],
  ])("encodes %s", async (_what, code, expected) => {
    expect(await resultOf(code)).toEqual(expected);
  });

  it("leaves the result out when the value is undefined", async () => {
    const execution = await execute({ code: "return undefined" });
    expect(execution.ok).toBe(true);
    expect(execution).not.toHaveProperty("result");
  });

  it("awaits a returned promise", async () => {
    expect(await resultOf("return new Promise((resolve) => setTimeout(() => resolve('later'), 5))")).toBe("later");
  });

  it("reports a getter that throws while encoding as a runtime error naming the path", async () => {
    const execution = await execute({ code: "return { inner: { get bad() { throw new Error('nope') } } }" });
    expect(execution.error).toMatchObject({
      kind: "runtime",
      name: "ResultEncodeError",
      message: "The result could not be encoded: reading result.inner.bad threw Error: nope",
    });
  });
});

describe("logs", () => {
  it("captures every console level in order, formatted as util.format would", async () => {
    const execution = await execute({
      code: [
        "console.log('hello', 1)",
        "console.info('%s is %d years', 'Ada', 36)",
        "console.warn({ a: [1, { b: 2 }] })",
        "console.error(new Map([['k', 1]]))",
        "console.debug('%o', [1])",
        "return 'done'",
      ].join("\n"),
    });
    expect(execution.logs.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: "log", message: "hello 1" },
      { level: "info", message: "Ada is 36 years" },
      { level: "warn", message: "{ a: [ 1, { b: 2 } ] }" },
      { level: "error", message: "Map(1) { 'k' => 1 }" },
      { level: "debug", message: "[ 1, [length]: 1 ]" },
    ]);
    expect(execution.result).toBe("done");
  });

  it("keeps logs made before a failure", async () => {
    const execution = await execute({ code: "console.log('before'); throw new Error('after')" });
    expect(execution.logs.map((log) => log.message)).toEqual(["before"]);
    expect(execution.error?.message).toBe("after");
  });

  it("captures the global console too, as code reaching globalThis.console uses it", async () => {
    const execution = await execute({ code: "globalThis.console.log('via global'); return 1" });
    expect(execution.logs.map((log) => log.message)).toEqual(["via global"]);
  });

  it("stamps each log with milliseconds since the run started", async () => {
    const execution = await execute({ code: "console.log('a'); await scheduler.wait(20); console.log('b')" });
    const [first, second] = execution.logs;
    expect(first?.ms).toBeGreaterThanOrEqual(0);
    expect((second?.ms ?? 0) - (first?.ms ?? 0)).toBeGreaterThanOrEqual(15);
  });

  it("keeps the logs of concurrent runs of the same code apart", async () => {
    const code = "console.log('start', args); await scheduler.wait(30); console.log('end', args); return args";
    const runs = await Promise.all([1, 2, 3].map((n) => execute({ code, args: n })));
    for (const [index, run] of runs.entries()) {
      expect(run.logs.map((log) => log.message)).toEqual([`start ${index + 1}`, `end ${index + 1}`]);
    }
  });
});
