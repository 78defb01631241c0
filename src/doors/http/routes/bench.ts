/**
 * `GET /__bench/floor`: the cost floor of a run, for `npm run bench` only: one call into a cached
 * dynamic isolate that does nothing. Served only when BENCH_ROUTES is "1" (the benchmark sets it);
 * never configured in production.
 */

import { Hono } from "hono";
import type { AuthEnv } from "../auth";

const FLOOR_MODULE = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { run() { return 1; } }`;

export const bench = new Hono<AuthEnv>().get("/floor", async (c) => {
  if (c.env.BENCH_ROUTES !== "1") return c.notFound();
  const stub = c.env.LOADER.get("bench-floor", () => ({
    compatibilityDate: "2026-11-01",
    mainModule: "floor.js",
    modules: { "floor.js": FLOOR_MODULE },
    globalOutbound: null,
  }));
  const entrypoint = stub.getEntrypoint() as unknown as { run(): Promise<number> };
  return c.json({ ok: (await entrypoint.run()) === 1 });
});
