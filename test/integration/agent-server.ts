/**
 * The test agent Worker (test/workers/agent) with the service behind its EXECUTOR bindings, started
 * for one test file. Its scenarios answer GET /<scenario> with JSON.
 */

import { afterAll, beforeAll, expect } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";

/** Starts the agent for the calling file; returns how to run a scenario (asserting a 200). */
export function useAgent(): <T>(name: string) => Promise<T> {
  let agent: DevServer | undefined;
  beforeAll(async () => {
    agent = await startDevServer({
      configs: ["test/workers/agent/wrangler.jsonc", "wrangler.jsonc", "services/example/wrangler.jsonc"],
    });
  });
  afterAll(async () => {
    await agent?.stop();
  });
  return async <T>(name: string): Promise<T> => {
    if (!agent) throw new Error("the agent server did not start");
    const response = await fetch(`${agent.url}/${name}`);
    const body = (await response.json()) as T;
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body;
  };
}
