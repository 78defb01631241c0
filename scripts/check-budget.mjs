#!/usr/bin/env node
// `npm run budget`: builds the Worker exactly as `wrangler deploy` would upload it (`--dry-run`: no
// account, no network) and checks it against BUDGET: the upload's size, raw and gzipped, the
// packages it must no longer carry, and the CPU time its startup takes (started as `wrangler check
// startup` starts it, counted in CPU time rather than profile samples; see startupCpuMs). Prints the
// figures; exits 1 when over budget. `npm test` runs the same check (test/deploy/budget.test.ts).

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { parseJsonc } from "./deploy.mjs";
import { devEnvironment } from "./dev-server.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
const MiB = 1024 * 1024;
/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s. */
const CLOCK_TICKS = 100;
/** wrangler's own miniflare, whose workerd knows the compatibility date wrangler.jsonc names. */
const { Miniflare, convertV4MiniflareOptions } = createRequire(wrangler)("miniflare");

/**
 * Below the 22.0 MiB raw / 5.46 MiB gzip the upload weighed before it was trimmed, so carrying
 * that again fails; above today's 19.30 / 5.07 MiB, leaving 2.45 MiB raw and 0.38 MiB gzip for
 * the npm packages snippets may import that are being added to the library allowlist (a dozen
 * such as lodash-es, date-fns, yaml and marked, minified). The platform's limit is 64 MiB raw.
 * Startup: half of the platform's 1 s startup CPU limit, for the CPU time measured here (80–120 ms).
 * A change that needs more raises a figure here, on purpose and with the reason.
 * Raised for issue 18 (docs/packages.md, "Sizes"): the ready set is 13 packages with every subpath
 * (date-fns' functions, fp and 96 locales; dayjs' plugins and locales), 3.56 MB raw of text
 * modules (0.84 MB gzipped), and the type checker carries their declarations (~1.7 MB raw): the upload
 * is 23.98 / 6.04 MiB with them, was 19.30 / 5.07.
 */
export const BUDGET = {
  uploadBytes: 24.5 * MiB,
  gzipBytes: 6.2 * MiB,
  startupCpuMs: 500,
};

/** Inputs index.js must not carry again (trimmed: wrangler.jsonc "alias", src/doors/mcp.ts). */
export const TRIMMED = [
  /node_modules\/zod\/v3\//,
  /node_modules\/zod\/v4\/locales\/(?!en\.js$)/,
  /node_modules\/zod-to-json-schema\//,
  /node_modules\/ajv\//,
  /node_modules\/ajv-formats\//,
];

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrangler, ...args], {
      cwd: root,
      // wrangler's build step runs `node`: this Node (22), not an older one first on the PATH.
      env: devEnvironment({ PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}` }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`wrangler ${args.join(" ")} failed (exit ${code}):\n${output}`));
    });
  });
}

/**
 * The CPU time the Worker's startup takes: workerd, run by wrangler's miniflare, serves a module that
 * imports the Worker's main module on its first request (what `wrangler check startup` profiles),
 * and the startup is the CPU time workerd spends on that request less what it spends on a second
 * one. CPU time, from /proc, not a profile's wall-clock samples: on a busy machine those count the
 * time the process waits for a core (`wrangler check startup` read 80 ms on a quiet machine and
 * 620–800 ms with a load of 17 on 2 cores, and gives up after 10 s, workerd's own start included).
 */
export async function startupCpuMs(outDir) {
  const entry = `startup-${randomUUID()}.mjs`;
  const modules = [
    {
      type: "ESModule",
      path: join(outDir, entry),
      contents: `let started = false;
export default { async fetch() { if (!started) { started = true; await import("./index.js"); } return new Response("ok"); } };`,
    },
  ];
  for (const name of await readdir(outDir)) {
    const type = name.endsWith(".js")
      ? "ESModule"
      : name.endsWith(".wasm")
        ? "CompiledWasm"
        : name.endsWith(".txt")
          ? "Text"
          : undefined;
    if (type) modules.push({ type, path: join(outDir, name), contents: await readFile(join(outDir, name)) });
  }
  const config = parseJsonc(await readFile(join(root, "wrangler.jsonc"), "utf8"));
  const before = new Set(childPids());
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: "startup",
      modulesRoot: outDir,
      modules,
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags ?? [],
    }),
  );
  try {
    await mf.ready;
    const workerd = childPids().filter((pid) => !before.has(pid));
    if (workerd.length !== 1) throw new Error(`expected one new workerd process, found ${workerd.length}`);
    const cpu = () => cpuMs(workerd[0]);
    const request = async () => {
      const response = await mf.dispatchFetch("https://example.com");
      const text = await response.text();
      if (!response.ok) throw new Error(`the Worker failed to start (status ${response.status}): ${text}`);
    };
    const start = cpu();
    await request();
    const first = cpu() - start;
    await request();
    const second = cpu() - start - first;
    return Math.max(0, first - second);
  } finally {
    await mf.dispose();
  }
}

/** Processes this one started (Linux: /proc). */
function childPids() {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && Number(stat[1]) === process.pid) pids.push(entry);
  }
  return pids;
}

/** A process's user and system CPU time in milliseconds (/proc/<pid>/stat fields 14 and 15). */
function cpuMs(pid) {
  const stat = readStat(pid);
  if (!stat) throw new Error(`process ${pid} is gone`);
  return ((Number(stat[11]) + Number(stat[12])) * 1000) / CLOCK_TICKS;
}

/** The fields of /proc/<pid>/stat after the command name (state, ppid, …), or undefined. */
function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * The upload's modules (name → bytes), its raw and gzipped size as wrangler counts them (source
 * maps excluded; gzip over all modules together), the trimmed inputs index.js still carries, and
 * the startup CPU milliseconds of `runs` fresh starts.
 */
export async function measure({ runs = 3 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "functions-do-budget-"));
  try {
    const out = join(dir, "out");
    const metafile = join(dir, "meta.json");
    // wrangler.jsonc without its build step, which `npm run budget` and `npm test` ran already: the
    // step rewrites playground/dist, which would make a `wrangler dev` running next to it reload.
    const config = parseJsonc(await readFile(join(root, "wrangler.jsonc"), "utf8"));
    const { build: _build, $schema: _schema, ...built } = config;
    const absolute = (path) => join(root, path);
    const budgetConfig = {
      ...built,
      main: absolute(config.main),
      assets: config.assets && { ...config.assets, directory: absolute(config.assets.directory) },
      alias:
        config.alias && Object.fromEntries(Object.entries(config.alias).map(([name, path]) => [name, absolute(path)])),
    };
    await writeFile(join(dir, "wrangler.json"), JSON.stringify(budgetConfig));
    await run(["deploy", "--dry-run", "-c", join(dir, "wrangler.json"), "--outdir", out, "--metafile", metafile]);
    const modules = {};
    const contents = [];
    for (const name of (await readdir(out)).sort()) {
      if (name === "README.md" || name.endsWith(".map")) continue;
      modules[name] = (await stat(join(out, name))).size;
      contents.push(await readFile(join(out, name)));
    }
    const meta = JSON.parse(await readFile(metafile, "utf8"));
    const inputs = Object.entries(meta.outputs)
      .filter(([name]) => name.endsWith("index.js"))
      .flatMap(([, output]) => Object.keys(output.inputs));
    const startupMs = [];
    for (let index = 0; index < runs; index++) startupMs.push(await startupCpuMs(out));
    return {
      modules,
      uploadBytes: contents.reduce((total, content) => total + content.length, 0),
      gzipBytes: gzipSync(Buffer.concat(contents)).length,
      inputs,
      carried: inputs.filter((input) => TRIMMED.some((pattern) => pattern.test(input))),
      startupMs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What exceeds the budget, one line each with the figures; empty when everything fits. */
export function overBudget(measurement, budget = BUDGET) {
  const problems = [];
  const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;
  if (measurement.uploadBytes > budget.uploadBytes) {
    problems.push(`upload ${mib(measurement.uploadBytes)} raw, over the budget of ${mib(budget.uploadBytes)}`);
  }
  if (measurement.gzipBytes > budget.gzipBytes) {
    problems.push(`upload ${mib(measurement.gzipBytes)} gzip, over the budget of ${mib(budget.gzipBytes)}`);
  }
  const startup = Math.min(...measurement.startupMs);
  if (!(startup <= budget.startupCpuMs)) {
    problems.push(`startup CPU ${startup.toFixed(0)} ms (fastest run), over the budget of ${budget.startupCpuMs} ms`);
  }
  for (const input of measurement.carried) problems.push(`index.js carries ${input}, which was trimmed`);
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const measurement = await measure();
  for (const [name, bytes] of Object.entries(measurement.modules)) {
    console.log(`${(bytes / MiB).toFixed(2).padStart(6)} MiB  ${name}`);
  }
  console.log(
    `upload ${(measurement.uploadBytes / MiB).toFixed(2)} MiB raw / ${(measurement.gzipBytes / MiB).toFixed(2)} MiB gzip ` +
      `(budget ${(BUDGET.uploadBytes / MiB).toFixed(2)} / ${(BUDGET.gzipBytes / MiB).toFixed(2)}); startup CPU ` +
      `${measurement.startupMs.map((ms) => ms.toFixed(0)).join(", ")} ms (budget ${BUDGET.startupCpuMs} ms for the fastest)`,
  );
  const problems = overBudget(measurement);
  for (const problem of problems) console.error(`over budget: ${problem}`);
  if (problems.length > 0) process.exitCode = 1;
}
