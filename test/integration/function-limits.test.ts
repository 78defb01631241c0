/**
 * Per-tenant limits on stored functions (`FUNCTION_LIMITS`), on a server started with small
 * ones: a tenant past its function count gets 409 naming the limit, a function keeps its newest
 * versions, and the logs kept per function stay bounded in runs and bytes.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";
import { FUNCTION_LIMITS } from "../../shared/limits";

const LIMITS = { functions: 3, versions: 3, logRuns: 2, logRunBytes: 1024, responseBytes: 100 };
let server: DevServer | undefined;

beforeAll(async () => {
  server = await startDevServer({ args: ["--var", `FUNCTION_LIMITS:${JSON.stringify(LIMITS)}`] });
});

afterAll(async () => {
  await server?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server?.url}${path}`, {
    method,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

describe("function limits", () => {
  it("documents sensible defaults", () => {
    expect(FUNCTION_LIMITS).toEqual({
      functions: 1_000,
      versions: 100,
      responseBytes: 4 * 1024 * 1024,
      logRuns: 20,
      logRunBytes: 64 * 1024,
    });
  });

  it("refuses a function past the tenant's limit with 409, but takes new versions of existing ones", async () => {
    for (const name of ["one", "two", "three"]) {
      expect((await send("POST", "/functions", { name, code: "return 1" })).status).toBe(201);
    }
    const refused = await send("POST", "/functions", { name: "four", code: "return 1" });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: "limit_reached",
      details: { limit: "functions", max: 3, count: 3 },
    });
    expect(refused.body.error.message).toContain("the limit is 3 functions per tenant");
    expect((await send("GET", "/functions/four")).status).toBe(404);
    // A refused multi-file function leaves nothing behind either.
    const refusedModules = await send("POST", "/functions", { name: "five", modules: { "index.ts": "return 5" } });
    expect(refusedModules.status).toBe(409);

    expect((await send("POST", "/functions", { name: "two", code: "return 2" })).status).toBe(201);
    expect((await send("DELETE", "/functions/three")).status).toBe(204);
    expect((await send("POST", "/functions", { name: "four", code: "return 1" })).status).toBe(201);
    expect((await send("GET", "/functions")).body.functions.map((f: { name: string }) => f.name)).toEqual([
      "four",
      "one",
      "two",
    ]);
  });

  it("keeps the newest versions, pruning the oldest and saying which", async () => {
    const original = (await send("GET", "/functions/one")).body.latest;
    const versions: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const stored = await send("POST", "/functions", { name: "one", modules: { "index.ts": `return ${n * 10}` } });
      expect(stored.status).toBe(201);
      // The third new version makes four: the oldest, "return 1", goes.
      expect(stored.body.pruned).toEqual(n === 3 ? [original] : undefined);
      versions.push(stored.body.version);
    }
    const fourth = await send("POST", "/functions", { name: "one", modules: { "index.ts": "return 40" } });
    expect(fourth.status).toBe(201);
    expect(fourth.body.pruned).toEqual([versions[0]]);
    const listed = await send("GET", "/functions/one");
    expect(listed.body.versions.map((v: { version: string }) => v.version)).toEqual([
      fourth.body.version,
      versions[2],
      versions[1],
    ]);
    expect((await send("POST", `/functions/one/invoke?version=${versions[0]}`, {})).status).toBe(404);
    expect((await send("POST", `/functions/one/invoke?version=${versions[1]}`, {})).body.result).toBe(20);
    expect((await send("POST", "/functions/one/invoke", {})).body.result).toBe(40);
  });

  it("keeps the logs of the last runs only, each cut to its byte limit", async () => {
    await send("POST", "/functions", {
      name: "two",
      code: 'for (let i = 0; i < 100; i++) console.log("line", i, args.run); return args.run',
    });
    for (const run of [1, 2, 3]) {
      expect((await send("POST", "/functions/two/invoke", { args: { run } })).body.result).toBe(run);
    }
    let runs: { logs: { message: string }[]; dropped: number }[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      runs = (await send("GET", "/functions/two/logs")).body.runs;
      if (runs[0]?.logs[0]?.message.endsWith(" 3")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs).toHaveLength(2);
    expect(runs.map((run) => run.logs[0]?.message)).toEqual(["line 0 3", "line 0 2"]);
    for (const run of runs) {
      expect(JSON.stringify(run.logs).length).toBeLessThanOrEqual(LIMITS.logRunBytes);
      expect(run.logs.length + run.dropped).toBe(100);
      expect(run.dropped).toBeGreaterThan(0);
    }
    expect((await send("GET", "/functions/two/logs?limit=1")).body.runs).toHaveLength(1);
  });

  it("applies the configured response limit to /fn answers", async () => {
    await send("POST", "/functions", {
      name: "four",
      code: 'export default { fetch: () => new Response("x".repeat(101), { headers: { "content-length": "101" } }) }',
    });
    const response = await fetch(`${server?.url}/fn/four`);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "the limit is 100 bytes",
    );
  });
});
