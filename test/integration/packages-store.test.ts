/**
 * Registry packages with API keys and a per-tenant policy, and the store kept across restarts: a
 * service started again on the same state builds nothing and asks the registry for nothing.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";

const KEYS = { acme: "sk_test_packages_acme", beta: "sk_test_packages_beta" };
const API_KEYS = { [KEYS.acme]: { tenant: "acme", tier: "pro" }, [KEYS.beta]: { tenant: "beta", tier: "pro" } };
const POLICY = { acme: ["escape-html"] };

const state = mkdtempSync(join(tmpdir(), "functions-do-packages-"));
let server: DevServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(state, { recursive: true, force: true });
});

async function start(): Promise<DevServer> {
  await server?.stop();
  server = await startDevServer({
    persistTo: state,
    args: [
      "--var",
      `API_KEYS:${JSON.stringify(API_KEYS)}`,
      "--var",
      `NPM_POLICY:${JSON.stringify(POLICY)}`,
      "--var",
      `NPM_REGISTRY:${inject("registryOrigin")}`,
    ],
  });
  return server;
}

async function run(
  key: string,
  code: string,
): Promise<{ ok: boolean; result?: unknown; error?: Record<string, unknown> }> {
  const response = await fetch(`${server?.url}/execute`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify({ code }),
  });
  expect(response.status).toBe(200);
  return response.json() as Promise<{ ok: boolean; result?: unknown; error?: Record<string, unknown> }>;
}

async function tarballFetches(): Promise<number> {
  const requests = (await (await fetch(`${inject("registryOrigin")}/__requests`)).json()) as string[];
  return requests.filter((path) => path === "/escape-html/-/escape-html-1.0.2.tgz").length;
}

const CODE = 'import escape from "escape-html@1.0.2";\nreturn escape("<b>") + " " + escape.packageVersion';

describe("registry packages per tenant, kept across restarts", () => {
  it("fetches for a tenant the policy allows and refuses another, naming the policy", {
    timeout: 240_000,
  }, async () => {
    await start();
    const before = await tarballFetches();
    expect(await run(KEYS.acme, CODE)).toMatchObject({ ok: true, result: "&lt;b&gt; 1.0.2" });
    expect(await tarballFetches()).toBe(before + 1);
    const refused = await run(KEYS.beta, CODE);
    expect(refused).toMatchObject({ ok: false, error: { kind: "syntax", name: "PackageError", line: 1, column: 20 } });
    expect(refused.error?.message).toBe(
      'Package "escape-html" is not in the service\'s ready set and may not be fetched from the registry: the operator\'s package policy (NPM_POLICY) allows tenant "beta" none.',
    );
    expect(await run(KEYS.beta, 'import { chunk } from "lodash-es";\nreturn chunk([1, 2], 1)')).toMatchObject({
      ok: true,
      result: [[1], [2]],
    });
  });

  it("loads a version built before a restart from the store, without the registry", { timeout: 240_000 }, async () => {
    const before = await tarballFetches();
    await start();
    expect(await run(KEYS.acme, `/* after the restart */\n${CODE}`)).toMatchObject({
      ok: true,
      result: "&lt;b&gt; 1.0.2",
    });
    expect(await tarballFetches()).toBe(before);
  });
});
