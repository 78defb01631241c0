/**
 * The stand-in wrangler checked against the real one: the real wrangler 4.164 talks to a stand-in
 * Cloudflare API on 127.0.0.1 (CLOUDFLARE_API_BASE_URL), and for the same account it must print
 * what the stand-in prints where the deploy script reads it (secret, D1 and KV lists, "Worker not
 * found"), and accept the configuration the script derives. Each case is its own account, and the
 * cases run at once: a real wrangler takes seconds to start.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_CONFIG, deployConfig, parseJsonc, parseJsonList } from "../../scripts/deploy.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const WORKER = "functions-do-executor";
const DB = { uuid: "6f1c1f32-0000-4000-8000-000000000001", name: "functions-do" };

interface Account {
  secrets?: string[];
  d1: { uuid: string; name: string }[];
  kv: { id: string; title: string }[];
  requests: string[];
}

const accounts = new Map<string, Account>();
let server: Server;
let base: string;

function reply(body: unknown, status = 200) {
  const success = status < 400;
  const envelope = success
    ? { success, errors: [], messages: [], result: body, result_info: { page: 1, per_page: 1000, count: 0 } }
    : { success, errors: [body], messages: [], result: null };
  return { status, text: JSON.stringify(envelope) };
}

function answer(account: Account, method: string, path: string, page: number, body: string) {
  // Lists are paged; wrangler asks for the next page until one comes back short or empty.
  const paged = <T>(items: T[]) => (page === 1 ? items : []);
  if (method === "GET" && path === `/workers/scripts/${WORKER}/secrets`) {
    if (!account.secrets) return reply({ code: 10007, message: "This Worker does not exist on your account." }, 404);
    return reply(account.secrets.map((name) => ({ name, type: "secret_text" })));
  }
  if (method === "GET" && path === "/d1/database") {
    return reply(
      paged(
        account.d1.map((db) => ({
          ...db,
          created_at: "2026-12-01T00:00:00.000Z",
          version: "production",
          num_tables: 0,
          file_size: 12288,
        })),
      ),
    );
  }
  if (method === "GET" && path === `/d1/database/${DB.uuid}`) return reply({ ...DB, version: "production" });
  if (method === "POST" && path === `/d1/database/${DB.uuid}/query`) {
    const { sql } = JSON.parse(body) as { sql: string };
    if (sql.includes("CREATE TABLE IF NOT EXISTS") || sql.includes('FROM "d1_migrations"')) {
      return reply([{ results: [], success: true, meta: { duration: 1, changes: 0 } }]);
    }
    return reply({ code: 7500, message: 'near "TABLEX": syntax error at offset 7: SQLITE_ERROR' }, 400);
  }
  if (method === "GET" && path === "/storage/kv/namespaces") {
    return reply(paged(account.kv.map((ns) => ({ ...ns, supports_url_encoding: true }))));
  }
  return reply({ code: 7003, message: `stand-in API: no route for ${method} ${path}` }, 404);
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const url = new URL(request.url ?? "/", "http://localhost");
    const [, id = "", path = ""] = url.pathname.match(/^\/client\/v4\/accounts\/([^/]+)(\/.*)$/) ?? [];
    const account = accounts.get(id);
    if (!account) return response.writeHead(404).end();
    account.requests.push(`${request.method} ${path}`);
    const { status, text } = answer(
      account,
      request.method ?? "GET",
      path,
      Number(url.searchParams.get("page") ?? 1),
      body,
    );
    response.writeHead(status, { "content-type": "application/json" }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "functions-do-deploy-real-"));
  for (const path of ["wrangler.jsonc", "services/example/wrangler.jsonc", "migrations"]) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(root, path), join(dir, path), { recursive: true });
  }
  mkdirSync(join(dir, "playground/dist"), { recursive: true });
  return dir;
}

async function exited(child: ChildProcess): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { status, stdout, stderr: stripAnsi(stderr) };
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** Runs a wrangler (the real one unless `standIn` gives an account for the stand-in) in `dir`. */
function wrangler(dir: string, accountId: string, args: string[], standIn?: object) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CLOUDFLARE_API_BASE_URL: base,
    CLOUDFLARE_API_TOKEN: "stand-in-token",
    CLOUDFLARE_ACCOUNT_ID: accountId,
    WRANGLER_SEND_METRICS: "false",
  };
  let script = join(root, "node_modules/wrangler/bin/wrangler.js");
  if (standIn) {
    script = join(root, "test/deploy/stand-in-wrangler.mjs");
    writeFileSync(join(dir, "state.json"), JSON.stringify({ loggedIn: true, ...standIn }));
    Object.assign(env, { STAND_IN_STATE: join(dir, "state.json"), STAND_IN_LOG: join(dir, "log.jsonl") });
  }
  return exited(spawn(process.execPath, [script, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] }));
}

// A real wrangler loads ~10 MB of JavaScript: seconds each on a busy machine.
describe.concurrent("the stand-in wrangler, next to the real one", { timeout: 180_000 }, () => {
  it("says a Worker that does not exist is not found, in the words the deploy script looks for", async () => {
    const dir = project();
    accounts.set("missing", { d1: [], kv: [], requests: [] });
    const args = ["secret", "list", "--format", "json", "-c", "wrangler.jsonc"];
    const [real, standIn] = await Promise.all([
      wrangler(dir, "missing", args),
      wrangler(dir, "missing", args, { workers: {}, d1: [], kv: [] }),
    ]);
    rmSync(dir, { recursive: true, force: true });
    expect([real.status, standIn.status]).toEqual([1, 1]);
    const firstLine = (text: string) => text.trim().split("\n")[0];
    expect(firstLine(real.stderr)).toBe(`✘ [ERROR] Worker "${WORKER}" not found.`);
    expect(firstLine(standIn.stderr)).toBe(firstLine(real.stderr));
  });

  it("prints the secret, D1 and KV lists the deploy script reads as the real one does", async () => {
    const dir = project();
    const secrets = ["API_KEYS", "FETCH_CREDENTIALS"];
    const kv = [
      { id: "a".repeat(32), title: `${WORKER}-compile-cache` },
      { id: "b".repeat(32), title: `${WORKER}-kv` },
    ];
    accounts.set("lists", { secrets, d1: [DB], kv, requests: [] });
    const standIn = { workers: { [WORKER]: { secrets } }, d1: [{ ...DB, applied: [] }], kv };
    const commands = [
      ["secret", "list", "--format", "json", "-c", "wrangler.jsonc"],
      ["d1", "list", "--json", "-c", "wrangler.jsonc"],
      ["kv", "namespace", "list", "-c", "wrangler.jsonc"],
    ];
    const runs = await Promise.all(commands.map((args) => wrangler(dir, "lists", args)));
    rmSync(dir, { recursive: true, force: true });
    for (const [index, args] of commands.entries()) {
      const real = runs[index];
      const other = project();
      const fake = await wrangler(other, "lists", args, standIn);
      rmSync(other, { recursive: true, force: true });
      expect(real?.status).toBe(0);
      expect(fake.status).toBe(0);
      expect(parseJsonList(fake.stdout)).toEqual(parseJsonList(real?.stdout ?? ""));
    }
  });

  it("accepts the derived configuration and applies the migrations to the database it names", async () => {
    const dir = project();
    accounts.set("migrate", { secrets: ["API_KEYS"], d1: [DB], kv: [], requests: [] });
    const config = parseJsonc(readFileSync(join(dir, "wrangler.jsonc"), "utf8"));
    const resources = { databases: [{ ...config.d1_databases[0], database_id: DB.uuid }], namespaces: [] };
    writeFileSync(
      join(dir, DEPLOY_CONFIG),
      JSON.stringify(deployConfig(config, resources, { allowAnonymous: false, withoutExample: false })),
    );
    const args = ["d1", "migrations", "apply", "DB", "--remote", "-c", DEPLOY_CONFIG];
    const real = await wrangler(dir, "migrate", args);
    const fake = await wrangler(dir, "migrate", args, {
      workers: {},
      d1: [{ ...DB, applied: [] }],
      kv: [],
      failMigration: "0001_documents.sql",
    });
    rmSync(dir, { recursive: true, force: true });
    expect(real.stdout).toContain(`Executing on remote database DB (${DB.uuid})`);
    expect(accounts.get("migrate")?.requests).toContain(`POST /d1/database/${DB.uuid}/query`);
    expect([real.status, fake.status]).toEqual([1, 1]);
    for (const run of [real, fake])
      expect(run.stderr).toContain('near "TABLEX": syntax error at offset 7: SQLITE_ERROR [code: 7500]');
  });
});
