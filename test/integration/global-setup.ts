/**
 * Starts the real service once for the integration tests: `wrangler dev` with the repository's
 * wrangler.jsonc (workerd, the real LOADER binding), exactly as `npm start` does, plus a local
 * stand-in for public hosts that network tests may allow.
 */

import type { TestProject } from "vitest/node";
import { startDevServer } from "../../scripts/dev-server.mjs";
import { startRegistry } from "./registry";
import { STAND_IN_HOSTS, startStandIn, TEST_CREDENTIAL } from "./stand-in";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    standInOrigin: string;
    registryOrigin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standIn = await startStandIn();
  // The host fetches packages from this stand-in npm registry (test/integration/registry.ts).
  const registry = await startRegistry();
  const routes = Object.fromEntries(STAND_IN_HOSTS.map((host) => [host, standIn.origin]));
  const log: string[] = [];
  const server = await startDevServer({
    args: [
      "--var",
      `NETWORK_DEV_ROUTES:${JSON.stringify(routes)}`,
      "--var",
      `FETCH_CREDENTIALS:${JSON.stringify({ "api.example.test": { authorization: TEST_CREDENTIAL } })}`,
      "--var",
      `NPM_REGISTRY:${registry.origin}`,
      "--var",
      `NPM_LIMITS:${JSON.stringify({ fetchTimeoutMs: 3000 })}`,
    ],
    output: (text: string) => log.push(text),
  }).catch((error: unknown) => {
    throw new Error(`The service did not start: ${String(error)}\n${log.join("")}`);
  });
  project.provide("baseUrl", server.url);
  project.provide("standInOrigin", standIn.origin);
  project.provide("registryOrigin", registry.origin);
  return async () => {
    await server.stop();
    await standIn.close();
    await registry.close();
  };
}
