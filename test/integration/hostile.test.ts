/**
 * Hostile snippets (docs/api.md, "Guarantees"): each ends in a structured `ok: false` of the right kind
 * within its deadline plus a small margin, and the service answers other requests afterwards.
 */

import { afterEach, describe, expect, it } from "vitest";
import { baseUrl, type Execution, execute, expectHealthy, unique } from "./client";

/** Margin over the deadline a hostile run may take to come back. */
const MARGIN_MS = 2_500;

async function timed(request: Record<string, unknown>): Promise<{ execution: Execution; ms: number }> {
  const started = performance.now();
  const execution = await execute(request);
  return { execution, ms: performance.now() - started };
}

describe("hostile snippets", () => {
  afterEach(async () => {
    await expectHealthy();
  });

  it.each([
    ["while (true) {}", "while (true) {}"],
    ["for (;;);", "for (;;);"],
    ["do {} while (true)", "do {} while (true)"],
    ["a loop inside a function", "function spin() { while (true) {} }\nspin()"],
    ["a loop inside a callback", "[1].forEach(() => { for (;;) {} })"],
    ["a loop inside a getter", "const o = { get x() { for (;;) {} } };\nreturn o.x"],
    ["a loop inside toJSON", "return { toJSON() { while (1) {} } }"],
    ["a loop inside a sort comparator", "[3, 1, 2].sort(() => { for (;;) {} })"],
    ["a loop that catches the timeout", "while (true) { try { for (;;) {} } catch {} }"],
    ["recursion that catches stack overflows", "function f() { try { f() } catch { f() } }\nf()"],
    ["a for-of over an endless generator", "function* g() { for (let i = 0; ; i++) yield i }\nfor (const x of g()) {}"],
    ["an async loop that never yields to I/O", "while (true) await null"],
    ["a microtask storm", "function f() { queueMicrotask(f) }\nf()\nawait new Promise(() => {})"],
    ["an exported function that spins", "export default function () { while (true) {} }"],
  ])("stops %s as a timeout", async (_what, code) => {
    const { execution, ms } = await timed({ code: `${code}\n${unique()}`, timeoutMs: 2000 });
    expect(execution.ok).toBe(false);
    expect(execution.error?.kind).toBe("timeout");
    expect(ms).toBeLessThan(2000 + MARGIN_MS);
  });

  it("points a timeout at the loop that was spinning", async () => {
    const { execution } = await timed({ code: "const a = 1;\nwhile (a) {\n  a + 1;\n}", timeoutMs: 1000 });
    expect(execution.error).toMatchObject({ kind: "timeout", line: 2 });
  });

  it.each([
    ["a promise that never settles", "await new Promise(() => {})"],
    ["a thenable that never settles", "return { then() {} }"],
    ["a timer that never fires in time", "await scheduler.wait(60_000)"],
    ["a setInterval storm", "setInterval(() => {}, 0);\nawait new Promise(() => {})"],
  ])("ends %s at the deadline", async (_what, code) => {
    const { execution, ms } = await timed({ code: `${code}\n${unique()}`, timeoutMs: 800 });
    expect(execution.error?.kind).toBe("timeout");
    expect(execution.error?.message).toBe("Execution exceeded the 800 ms deadline.");
    expect(ms).toBeGreaterThanOrEqual(750);
    expect(ms).toBeLessThan(800 + MARGIN_MS);
  });

  it("ends unbounded recursion as a resource error", async () => {
    const { execution } = await timed({ code: "function f(n) { return f(n + 1) + 1 }\nreturn f(0)" });
    expect(execution.error).toMatchObject({
      kind: "resource",
      name: "RangeError",
      message: "Maximum call stack size exceeded",
    });
  });

  it.each([
    ["growing arrays in a loop", "const a = [];\nwhile (true) a.push(new Array(1e6).fill(0));"],
    ["one huge typed array", "new Uint8Array(2 ** 33)"],
    ["one huge ArrayBuffer", "new ArrayBuffer(8 * 1024 ** 3)"],
    ["many large buffers", "const keep = [];\nfor (;;) keep.push(new ArrayBuffer(64 * 1024 ** 2));"],
    ["a huge filled array", "new Array(1e9).fill(0)"],
    ["Array.from with a huge length", "Array.from({ length: 1e9 }, () => 1)"],
    ["a huge repeated string", "'x'.repeat(2 ** 29)"],
    ["a huge WebAssembly memory", "new WebAssembly.Memory({ initial: 60000 })"],
  ])("refuses a memory bomb: %s", async (_what, code) => {
    const { execution, ms } = await timed({ code: `${code}\n${unique()}`, timeoutMs: 10_000 });
    expect(execution.error?.kind).toBe("resource");
    expect(execution.error?.message).toMatch(/^Memory limit exceeded: /);
    expect(ms).toBeLessThan(10_000);
  });

  it("ends a string that doubles until it cannot as a resource error", async () => {
    const { execution } = await timed({ code: "let s = 'x';\nwhile (true) s += s;" });
    expect(execution.error).toMatchObject({ kind: "resource", name: "RangeError", message: "Invalid string length" });
  });

  it("stops a log flood, keeping what was logged up to the limit", async () => {
    const { execution, ms } = await timed({ code: "while (true) console.log('flood')" });
    expect(execution.error).toMatchObject({ kind: "resource", name: "ResourceError" });
    expect(execution.error?.message).toBe(
      "Log output exceeded its limit (10000 entries or 1.0 MiB); the run was stopped.",
    );
    expect(execution.logs.length).toBe(10_000);
    expect(ms).toBeLessThan(5000 + MARGIN_MS);
  });

  it("stops a flood of huge log lines by bytes", async () => {
    const { execution } = await timed({ code: "const line = 'y'.repeat(100_000);\nfor (;;) console.log(line)" });
    expect(execution.error?.kind).toBe("resource");
    const bytes = execution.logs.reduce((total, log) => total + log.message.length, 0);
    expect(bytes).toBeLessThanOrEqual(1024 * 1024 + 20);
    expect(execution.logs.at(-1)?.message.endsWith("… [truncated]")).toBe(true);
  });

  it("refuses a 60 MB result as a resource error without sending it", async () => {
    const { execution, ms } = await timed({ code: "return 'x'.repeat(60e6)" });
    expect(execution.error).toMatchObject({
      kind: "resource",
      message: "The result is larger than 4.0 MiB of JSON; return less data.",
    });
    expect(ms).toBeLessThan(5000);
  });

  it.each([
    ["an array of many small values", "return Array.from({ length: 3e6 }, (_, i) => i)"],
    ["a sparse array with a huge length", "const a = []; a[2 ** 32 - 2] = 1; return a"],
  ])("refuses %s as a result over the size limit", async (_what, code) => {
    const { execution } = await timed({ code });
    expect(execution.error?.kind).toBe("resource");
  });

  it("refuses a result nested 10,000 levels deep", async () => {
    const { execution } = await timed({ code: "let v = {};\nfor (let i = 0; i < 10_000; i++) v = { v };\nreturn v" });
    expect(execution.error).toMatchObject({ kind: "resource" });
    expect(execution.error?.message).toMatch(/^The result nests deeper than 1000 levels/);
  });

  it("has no network: fetch to 127.0.0.1 and to the service itself fails", async () => {
    const self = new URL(baseUrl());
    for (const url of ["http://127.0.0.1:1/", `${self.origin}/health`, "http://169.254.169.254/"]) {
      const { execution } = await timed({ code: `return (await fetch(${JSON.stringify(url)})).status` });
      expect(execution.error?.kind).toBe("runtime");
      expect(execution.error?.message).toContain("not permitted to access the internet");
    }
  });

  it("refuses loopback and private addresses even when the request allows them", async () => {
    const self = new URL(baseUrl());
    const { execution } = await timed({
      code: `return (await fetch(${JSON.stringify(`${self.origin}/health`)})).status`,
      network: { allow: [self.host, "169.254.169.254"] },
    });
    expect(execution.error).toMatchObject({ kind: "runtime", name: "NetworkRefusedError" });
    expect(execution.error?.message).toBe(
      `fetch("${self.origin}/health") was refused: ${self.host} is a loopback, private or link-local address.`,
    );
  });

  it("keeps the wrapper closed against a break-out attempt", async () => {
    const { execution } = await timed({ code: "}), (globalThis.x = 1), (async () => {" });
    expect(execution.error?.kind).toBe("syntax");
    expect(execution.logs).toEqual([]);
  });

  it("sees no host bindings, secrets or environment in the sandbox", async () => {
    const { execution } = await timed({
      code: [
        "const names = ['LOADER', 'API_KEYS', 'COMPILE_CACHE_BYTES', 'Outbound', 'env'];",
        "return {",
        "  env: Object.keys(process.env),",
        "  reachable: names.filter((name) => name in globalThis),",
        "  ownNames: Object.getOwnPropertyNames(globalThis).filter((name) => /LOADER|API_KEY|SECRET|TOKEN/i.test(name)),",
        "}",
      ].join("\n"),
    });
    expect(execution.result).toEqual({ env: [], reachable: [], ownNames: [] });
  });
});

describe("the service while a snippet spins", () => {
  it("answers /health and other snippets while a hostile one is running", async () => {
    const spinning = execute({ code: `while (true) {}\n${unique()}`, timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    const health = await fetch(`${baseUrl()}/health`);
    const healthMs = performance.now() - started;
    expect(health.status).toBe(200);
    // Local workerd runs all isolates on one thread: a spinning run may hold it for one slice (1 s).
    expect(healthMs).toBeLessThan(2000);
    const benign = await execute({ code: "return 'still here'" });
    expect(benign.result).toBe("still here");
    expect((await spinning).error?.kind).toBe("timeout");
  });

  it("runs the same code normally again after one of its runs timed out", async () => {
    const code = `if (args.spin) { while (true) {} }\nreturn 'fine'\n${unique()}`;
    expect((await execute({ code, args: { spin: true }, timeoutMs: 500 })).error?.kind).toBe("timeout");
    expect((await execute({ code, args: { spin: false } })).result).toBe("fine");
  });
});
