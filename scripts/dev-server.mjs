// Starts the service the way `npm start` does (wrangler dev: workerd with a real Worker Loader) and
// waits until GET /health answers. Shared by `npm start`, the integration tests and the benchmarks,
// so all three run exactly the same server.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");

/**
 * V8 flags for local workerd. Local workerd enforces no CPU or memory limit on dynamic isolates,
 * so these keep one hostile snippet from taking the whole process down:
 * - a larger heap ceiling, so the sandbox's own limits (deadline, allocation guards) act first;
 * - regular expressions that backtrack excessively fall back to V8's linear-time engine, which
 *   ends catastrophic backtracking (`/(a+)+$/`) that no instrumentation can interrupt.
 */
/**
 * Ctrl-C (or SIGTERM) aborts `controller` once, so a script can stop its servers in its finally
 * blocks; the servers run in their own process groups and do not get the signal themselves.
 */
export function abortOnSignals(controller) {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the service`);
      process.exitCode = 130;
      controller.abort();
    });
  }
}

export const WORKERD_V8_FLAGS = [
  "--max-old-space-size=4096",
  "--enable-experimental-regexp-engine-on-excessive-backtracks",
  "--regexp-backtracks-before-fallback=50000",
];

export function devEnvironment(extra = {}) {
  return {
    ...process.env,
    MINIFLARE_WORKERD_V8_FLAGS: WORKERD_V8_FLAGS.join(" "),
    // No account and no network: skip wrangler's telemetry and its fetch of the Request.cf object.
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    // wrangler's local observability collector (on by default) receives a streaming tail of every
    // invocation in the same workerd process and keeps memory per request (README, "Memory"):
    // off unless asked for with X_LOCAL_OBSERVABILITY=true.
    X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false",
    ...extra,
  };
}

/** The main Worker first (it serves HTTP), then the services of the runtime manifest. */
export const CONFIGS = ["wrangler.jsonc", "services/example/wrangler.jsonc"];

export function wranglerDevArgs(args = [], configs = CONFIGS) {
  return [
    wrangler,
    "dev",
    ...configs.flatMap((config) => ["-c", config]),
    "--show-interactive-dev-session=false",
    ...args,
  ];
}

/** Applies the D1 migrations (migrations/) to the local database wrangler dev will use. */
export function applyMigrations({ persistTo, stdio = "pipe" } = {}) {
  const result = spawnSync(
    process.execPath,
    [wrangler, "d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])],
    // CI=true: never stop to ask for confirmation.
    { cwd: root, env: devEnvironment({ CI: "true" }), stdio: ["ignore", stdio, stdio], encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(
      `applying D1 migrations failed (exit ${result.status}):\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `wrangler dev` on a free port (or `port`) and resolves once /health answers (`configs`
 * lists the Workers to run, the first serving HTTP; it must answer /health). Its state
 * (KV, D1, Durable Objects) lives in a fresh temporary directory unless `persistTo` is given, with
 * the D1 migrations applied. `output` receives the server's stdout and stderr.
 */
export async function startDevServer({
  port,
  args = [],
  env = {},
  output = () => {},
  timeoutMs = 90_000,
  persistTo,
  configs = CONFIGS,
} = {}) {
  const state = persistTo ?? mkdtempSync(join(tmpdir(), "functions-do-state-"));
  applyMigrations({ persistTo: state });
  const listen = port ?? (await freePort());
  const inspector = await freePort();
  const child = spawn(
    process.execPath,
    wranglerDevArgs(
      [
        "--port",
        String(listen),
        "--inspector-port",
        String(inspector),
        "--persist-to",
        state,
        "--log-level",
        "warn",
        ...args,
      ],
      configs,
    ),
    { cwd: root, env: devEnvironment(env), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout.on("data", (chunk) => output(chunk.toString()));
  child.stderr.on("data", (chunk) => output(chunk.toString()));
  const url = `http://127.0.0.1:${listen}`;
  const stop = async () => {
    await new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        resolve();
      }
    });
    if (!persistTo) rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return { url, port: listen, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`wrangler dev did not answer /health within ${timeoutMs} ms`);
}
