/** API keys (API.md, "Starting it"): required only when configured; a second server has them. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../scripts/dev-server.mjs";

const KEYS = ["key-one-9f2c", "key-two-41ab"];
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ args: ["--var", `API_KEYS:${KEYS.join(",")}`] });
});

afterAll(async () => {
  await server?.stop();
});

async function call(authorization?: string): Promise<[number, unknown]> {
  const response = await fetch(`${server.url}/execute`, {
    method: "POST",
    headers: authorization ? { authorization } : {},
    body: JSON.stringify({ code: "return 'in'" }),
  });
  return [response.status, await response.json()];
}

describe("with API keys configured", () => {
  it.each(KEYS)("accepts Bearer %s", async (key) => {
    const [status, body] = await call(`Bearer ${key}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, result: "in" });
  });

  it.each([
    ["no header", undefined, "An API key is required: send `Authorization: Bearer <key>`."],
    ["a wrong key", "Bearer nope", "The API key is not valid."],
    ["a key prefix", `Bearer ${KEYS[0]?.slice(0, 5)}`, "The API key is not valid."],
    ["another scheme", `Basic ${KEYS[0]}`, "An API key is required: send `Authorization: Bearer <key>`."],
  ])("answers %s with 401", async (_what, header, message) => {
    const [status, body] = await call(header);
    expect(status).toBe(401);
    expect(body).toEqual({ error: { code: "unauthorized", message } });
  });

  it("never echoes a key back", async () => {
    const [, body] = await call("Bearer almost-key-one-9f2c");
    expect(JSON.stringify(body)).not.toContain("9f2c");
  });

  it("keeps /health open", async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
