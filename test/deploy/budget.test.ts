/**
 * What `wrangler deploy` would upload (a `--dry-run`, offline) against the budgets in
 * scripts/check-budget.mjs: size raw and gzipped, startup CPU, and none of the trimmed packages.
 */

import { beforeAll, describe, expect, it } from "vitest";
import { BUDGET, type Measurement, measure, overBudget } from "../../scripts/check-budget.mjs";

let measured: Measurement;

beforeAll(async () => {
  measured = await measure({ runs: 3 });
}, 600_000);

describe("the deployed Worker", () => {
  it("uploads less than the size budget, raw and gzipped", () => {
    const names = Object.keys(measured.modules);
    // The modules the Worker is made of, so an empty dry run cannot pass.
    expect(names).toContain("index.js");
    expect(names.some((name) => name.endsWith("esbuild.wasm"))).toBe(true);
    expect(names.some((name) => name.endsWith("type-checker.txt"))).toBe(true);
    expect(measured.uploadBytes).toBeLessThan(BUDGET.uploadBytes);
    expect(measured.gzipBytes).toBeLessThan(BUDGET.gzipBytes);
    expect(measured.gzipBytes).toBeLessThan(measured.uploadBytes);
  });

  it("starts within the startup CPU budget", () => {
    expect(measured.startupMs).toHaveLength(3);
    expect(Math.max(...measured.startupMs)).toBeGreaterThan(0);
    expect(Math.min(...measured.startupMs)).toBeLessThan(BUDGET.startupCpuMs);
  });

  it("carries none of the packages it never runs: zod's v3 build and locales, Ajv", () => {
    expect(measured.inputs.some((input) => input.includes("node_modules/zod/v4/core/"))).toBe(true);
    expect(measured.inputs.some((input) => input.endsWith("node_modules/zod/v4/locales/en.js"))).toBe(true);
    expect(measured.carried).toEqual([]);
  });
});

describe("overBudget", () => {
  const within = { uploadBytes: 1, gzipBytes: 1, startupMs: [900, 10], carried: [] };

  it("passes a measurement within every budget (startup counts its fastest run)", () => {
    expect(overBudget(within)).toEqual([]);
  });

  it("names each budget exceeded, with the figures", () => {
    const over = {
      uploadBytes: 30 * 1024 * 1024,
      gzipBytes: 7 * 1024 * 1024,
      startupMs: [700, 650],
      carried: ["node_modules/ajv/dist/ajv.js"],
    };
    expect(overBudget(over)).toEqual([
      "upload 30.00 MiB raw, over the budget of 24.50 MiB",
      "upload 7.00 MiB gzip, over the budget of 6.20 MiB",
      "startup CPU 650 ms (fastest run), over the budget of 500 ms",
      "index.js carries node_modules/ajv/dist/ajv.js, which was trimmed",
    ]);
    expect(overBudget({ ...within, startupMs: [] })).toHaveLength(1);
  });
});
