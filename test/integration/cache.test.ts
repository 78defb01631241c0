/** Unit ids and the compile cache (docs/api.md: "The same code and options give the same id"). */

import { describe, expect, it } from "vitest";
import { execute, unique } from "./client";

describe("ids and caching", () => {
  it("gives the same code and options the same id, and serves the repeat from the cache", async () => {
    const code = `return args.n * 2 ${unique()}`;
    const first = await execute({ code, args: { n: 1 } });
    const second = await execute({ code, args: { n: 2 } });
    expect(first.id).toMatch(/^[0-9a-f]{64}$/);
    expect(second.id).toBe(first.id);
    expect([first.cached, second.cached]).toEqual([false, true]);
    expect([first.result, second.result]).toEqual([2, 4]);
  });

  it("does not compile a repeat again", async () => {
    const code = `const n: number = await Promise.resolve(5);\nreturn n ${unique()}`;
    await execute({ code });
    const repeat = await execute({ code });
    expect(repeat.cached).toBe(true);
    expect(repeat.timings.compileMs).toBeLessThanOrEqual(1);
  });

  it.each([
    ["language", { language: "javascript" }],
    ["network policy", { network: { allow: ["api.example.test"] } }],
  ])("gives a different id when the %s differs", async (_what, options) => {
    const code = `return 1 ${unique()}`;
    const plain = await execute({ code });
    const other = await execute({ code, ...options });
    expect(other.id).not.toBe(plain.id);
  });

  it("keeps the id for different args and timeouts, which are per-run data", async () => {
    const code = `return args ${unique()}`;
    const a = await execute({ code, args: 1, timeoutMs: 1000 });
    const b = await execute({ code, args: 2, timeoutMs: 2000 });
    expect(b.id).toBe(a.id);
    expect(b.result).toBe(2);
  });

  it("caches code that fails to compile, with the same id", async () => {
    const code = `const = ${unique()}`;
    const first = await execute({ code });
    const second = await execute({ code });
    expect([first.cached, second.cached, second.id === first.id]).toEqual([false, true, true]);
    expect(second.error?.kind).toBe("syntax");
  });

  it("reports timings that add up", async () => {
    const { timings } = await execute({ code: `return 1 ${unique()}` });
    expect(timings.compileMs).toBeGreaterThanOrEqual(0);
    expect(timings.runMs).toBeGreaterThanOrEqual(0);
    expect(timings.totalMs).toBeGreaterThanOrEqual(Math.max(timings.compileMs, timings.runMs));
  });

  it("serves concurrent identical first requests with one id and correct results", async () => {
    const code = `return args ${unique()}`;
    const runs = await Promise.all(Array.from({ length: 10 }, (_, n) => execute({ code, args: n })));
    expect(new Set(runs.map((run) => run.id)).size).toBe(1);
    expect(runs.map((run) => run.result)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
