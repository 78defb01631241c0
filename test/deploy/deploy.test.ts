/**
 * `npm run deploy` (scripts/deploy.mjs) driven against a stand-in wrangler (stand-in-wrangler.mjs)
 * that keeps a pretend account and records every command: first run and second run, a missing
 * secret, a failing migration, an explicit open deployment. Each case runs the script on a copy
 * of this project's own wrangler.jsonc, example service config and migrations.
 */

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseJsonc } from "../../scripts/deploy.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const STAND_IN = join(root, "test/deploy/stand-in-wrangler.mjs");
const WORKER = "functions-do-executor";
const EXAMPLE = "functions-do-example";
const MIGRATIONS = ["0001_documents.sql", "0002_snippets.sql", "0003_functions.sql", "0004_function_modules.sql"];

interface Account {
  loggedIn: boolean;
  networkDown?: boolean;
  failMigration?: string;
  workers: Record<
    string,
    {
      secrets: string[];
      deploys?: number;
      deployed?: {
        vars: Record<string, string>;
        kv: Record<string, string>;
        d1: Record<string, string>;
        services: string[];
      };
    }
  >;
  d1: { uuid: string; name: string; applied: string[] }[];
  kv: { id: string; title: string }[];
}

interface Logged {
  args: string[];
  config: { name: string; vars?: Record<string, string> };
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "functions-do-deploy-"));
  for (const path of ["wrangler.jsonc", "services/example/wrangler.jsonc", "migrations"]) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(root, path), join(dir, path), { recursive: true });
  }
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function account(overrides: Partial<Account> = {}): Account {
  return { loggedIn: true, workers: {}, d1: [], kv: [], ...overrides };
}

/** An account where the user ran `npx wrangler secret put API_KEYS`: a draft Worker with the secret. */
function withKeys(): Account {
  return account({ workers: { [WORKER]: { secrets: ["API_KEYS"] } } });
}

function deploy(state: Account, args: string[] = []) {
  writeFileSync(join(dir, "state.json"), JSON.stringify(state));
  writeFileSync(join(dir, "log.jsonl"), "");
  const result = spawnSync(process.execPath, [join(root, "scripts/deploy.mjs"), ...args], {
    cwd: dir,
    env: {
      ...process.env,
      DEPLOY_WRANGLER: STAND_IN,
      STAND_IN_STATE: join(dir, "state.json"),
      STAND_IN_LOG: join(dir, "log.jsonl"),
    },
    encoding: "utf8",
  });
  const logged: Logged[] = readFileSync(join(dir, "log.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    commands: logged.map((entry) => entry.args.join(" ")),
    logged,
    state: JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as Account,
  };
}

const FIRST_RUN = [
  "secret list --format json",
  "d1 list --json",
  "d1 create functions-do",
  "d1 list --json",
  "kv namespace list",
  `kv namespace create ${WORKER}-kv`,
  `kv namespace create ${WORKER}-compile-cache`,
  "kv namespace list",
  "d1 migrations apply DB --remote",
  "deploy",
  "deploy",
];

describe("npm run deploy", () => {
  it("refuses a first deploy without API_KEYS, before creating or deploying anything", () => {
    const run = deploy(account());
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`refusing to deploy ${WORKER} (not deployed yet): it has no API_KEYS secret`);
    expect(run.stderr).toContain("npx wrangler secret put API_KEYS");
    expect(run.stderr).toContain("npm run deploy -- --allow-anonymous");
    expect(run.commands).toEqual(["secret list --format json"]);
    expect(run.state).toEqual(account());
  });

  it("creates what is missing, applies the migrations and deploys the example service, then the Worker", () => {
    const wrangler = readFileSync(join(dir, "wrangler.jsonc"), "utf8");
    const run = deploy(withKeys());
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.commands).toEqual(FIRST_RUN);
    expect(run.logged.filter((entry) => entry.args[0] === "deploy").map((entry) => entry.config.name)).toEqual([
      EXAMPLE,
      WORKER,
    ]);

    const [db] = run.state.d1;
    expect(run.state.d1).toEqual([{ uuid: db?.uuid, name: "functions-do", applied: MIGRATIONS }]);
    const ids = Object.fromEntries(run.state.kv.map((ns) => [ns.title, ns.id]));
    expect(run.state.workers[WORKER]?.deployed).toEqual({
      vars: { COMPILE_CACHE_BYTES: "16777216", SANDBOX_ISOLATES: "128" },
      kv: { KV: ids[`${WORKER}-kv`], COMPILE_CACHE: ids[`${WORKER}-compile-cache`] },
      d1: { DB: db?.uuid },
      services: ["EXAMPLE"],
    });
    expect(run.state.workers[WORKER]?.secrets).toEqual(["API_KEYS"]);
    expect(run.state.workers[EXAMPLE]?.deploys).toBe(1);
    // Nothing written into the project: wrangler.jsonc as it was, the derived config removed.
    expect(readFileSync(join(dir, "wrangler.jsonc"), "utf8")).toBe(wrangler);
    expect(existsSync(join(dir, "wrangler.deploy.json"))).toBe(false);
  });

  it("creates nothing on a second run and deploys with the same resources", () => {
    const first = deploy(withKeys());
    expect(first.status).toBe(0);
    const second = deploy(first.state);
    expect(second.status).toBe(0);
    expect(second.commands).toEqual([
      "secret list --format json",
      "d1 list --json",
      "kv namespace list",
      "d1 migrations apply DB --remote",
      "deploy",
      "deploy",
    ]);
    expect(second.stdout).toContain("No migrations to apply");
    expect(second.state.d1).toEqual(first.state.d1);
    expect(second.state.kv).toEqual(first.state.kv);
    expect(second.state.workers[WORKER]?.deployed).toEqual(first.state.workers[WORKER]?.deployed);
    expect(second.state.workers[WORKER]?.deploys).toBe(2);
  });

  it("never sets a secret itself", () => {
    const runs = [deploy(withKeys()), deploy(account(), ["--allow-anonymous"])];
    for (const run of runs) {
      expect(run.status).toBe(0);
      expect(run.commands.filter((command) => command.startsWith("secret"))).toEqual(["secret list --format json"]);
    }
  });

  it("stops at a failing migration without deploying, and a rerun finishes the job", () => {
    const failed = deploy({ ...withKeys(), failMigration: "0003_functions.sql" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('near "TABLEX": syntax error');
    expect(failed.stderr).toContain(
      "`wrangler d1 migrations apply DB --remote -c wrangler.deploy.json` failed (exit 1) while applying the D1 migrations of DB; the Worker was not deployed",
    );
    expect(failed.commands).not.toContain("deploy");
    expect(failed.state.workers[WORKER]?.deployed).toBeUndefined();
    expect(failed.state.d1[0]?.applied).toEqual(MIGRATIONS.slice(0, 2));
    expect(existsSync(join(dir, "wrangler.deploy.json"))).toBe(false);

    const { failMigration: _fixed, ...fixed } = failed.state;
    const rerun = deploy(fixed);
    expect(rerun.status).toBe(0);
    expect(rerun.commands.filter((command) => command.includes("create"))).toEqual([]);
    expect(rerun.state.d1[0]?.applied).toEqual(MIGRATIONS);
    expect(rerun.state.workers[WORKER]?.deployed?.d1).toEqual({ DB: failed.state.d1[0]?.uuid });
  });

  it("deploys an open service only when told to, and the next run without the flag refuses", () => {
    const open = deploy(account(), ["--allow-anonymous"]);
    expect(open.status).toBe(0);
    expect(open.stdout).toContain("deploying an OPEN service as asked (--allow-anonymous)");
    expect(open.state.workers[WORKER]?.deployed?.vars.ALLOW_ANONYMOUS).toBe("true");

    const refused = deploy(open.state);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`refusing to deploy ${WORKER}: it has no API_KEYS secret`);
    expect(refused.state).toEqual(open.state);

    const keyed = open.state;
    keyed.workers[WORKER] = { ...keyed.workers[WORKER], secrets: ["API_KEYS"] };
    const closed = deploy(keyed);
    expect(closed.status).toBe(0);
    expect(closed.state.workers[WORKER]?.deployed?.vars).not.toHaveProperty("ALLOW_ANONYMOUS");
  });

  it("deploys no ALLOW_ANONYMOUS or dev-only variable that wrangler.jsonc sets", () => {
    const config = parseJsonc(readFileSync(join(dir, "wrangler.jsonc"), "utf8"));
    config.vars = { ...config.vars, ALLOW_ANONYMOUS: "true", BENCH_ROUTES: "1", NETWORK_DEV_ROUTES: "{}" };
    writeFileSync(join(dir, "wrangler.jsonc"), JSON.stringify(config));
    const run = deploy(withKeys());
    expect(run.status).toBe(0);
    expect(run.state.workers[WORKER]?.deployed?.vars).toEqual({
      COMPILE_CACHE_BYTES: "16777216",
      SANDBOX_ISOLATES: "128",
    });
  });

  it("refuses while a secret named ALLOW_ANONYMOUS would let anonymous callers in", () => {
    const state = account({ workers: { [WORKER]: { secrets: ["API_KEYS", "ALLOW_ANONYMOUS"] } } });
    const run = deploy(state);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("has a secret named ALLOW_ANONYMOUS");
    expect(run.commands).toEqual(["secret list --format json"]);
  });

  it("uses an id wrangler.jsonc already has and creates nothing for it", () => {
    const config = parseJsonc(readFileSync(join(dir, "wrangler.jsonc"), "utf8"));
    config.kv_namespaces = [{ binding: "KV", id: "00000000000000000000000000000abc" }, { binding: "COMPILE_CACHE" }];
    writeFileSync(join(dir, "wrangler.jsonc"), JSON.stringify(config));
    const state = withKeys();
    state.kv = [{ id: "00000000000000000000000000000abc", title: "my-own-namespace" }];
    const run = deploy(state);
    expect(run.status).toBe(0);
    expect(run.commands).toContain(`kv namespace create ${WORKER}-compile-cache`);
    expect(run.commands).not.toContain(`kv namespace create ${WORKER}-kv`);
    expect(run.state.workers[WORKER]?.deployed?.kv.KV).toBe("00000000000000000000000000000abc");
  });

  it("leaves the example service and its binding out with --without-example", () => {
    const run = deploy(withKeys(), ["--without-example"]);
    expect(run.status).toBe(0);
    expect(run.logged.filter((entry) => entry.args[0] === "deploy").map((entry) => entry.config.name)).toEqual([
      WORKER,
    ]);
    expect(run.state.workers[EXAMPLE]).toBeUndefined();
    expect(run.state.workers[WORKER]?.deployed?.services).toEqual([]);
  });

  it("shows wrangler's error and how to log in when not logged in, and changes nothing", () => {
    const run = deploy(account({ loggedIn: false }));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("necessary to set a CLOUDFLARE_API_TOKEN environment variable");
    expect(run.stderr).toContain("Log in with `npx wrangler login`");
    expect(run.commands).toEqual(["secret list --format json"]);
  });

  it("stops when the account cannot be reached, before anything is created", () => {
    const run = deploy({ ...withKeys(), networkDown: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("`wrangler secret list --format json -c wrangler.jsonc` failed (exit 1)");
    expect(run.stderr).toContain("fetch failed");
    expect(run.commands).toEqual(["secret list --format json"]);
  });

  it("rejects an unknown option with the usage, running nothing", () => {
    const run = deploy(withKeys(), ["--yes"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('unknown option "--yes"');
    expect(run.stderr).toContain("--allow-anonymous");
    expect(run.commands).toEqual([]);
  });
});
