#!/usr/bin/env node
// `npm run bench:packages [-- --rounds 40]`: what npm packages cost (docs/packages.md, "Measured").
// Starts the service as `npm start` does, with the stand-in npm registry of the tests
// (test/integration/registry.ts) on 127.0.0.1, and measures in one run:
//
//   cold       compile-cache misses (every request distinct) of a snippet without imports and of
//              snippets importing ready-set packages, in interleaved rounds: p50 total and the ratio
//              to the snippet without imports
//   registry   the first use of each registry package version (fetch + extract + bundle + store),
//              then later uses in the same isolate (new code, the bundle in memory), then first uses
//              after a restart on the same state (the bundle read from R2, no registry)
//   sizes      the ready set's text modules (raw and gzip), and the bundles R2 holds
//
// Prints a table and writes bench/out/packages.json. The figures are ratios and medians of one run
// on whatever machine runs it: compare within a run, not across machines.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { startDevServer } from "../scripts/dev-server.mjs";
import { startRegistry } from "../test/integration/registry.ts";
import { summarize } from "./stats.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { rounds: { type: "string", default: "40" } } });
const rounds = Number(values.rounds);

const COLD = {
  "no imports": "return [1, 2, 3].map((n) => n * 2)",
  "date-fns": 'import { format } from "date-fns";\nreturn format(new Date(2024, 0, 1), "yyyy-MM-dd")',
  "lodash-es/chunk": 'import chunk from "lodash-es/chunk";\nreturn chunk([1, 2, 3], 2)',
  "date-fns/locale/de": 'import { de } from "date-fns/locale/de";\nreturn de.code',
  zod: 'import { z } from "zod";\nreturn z.string().parse("a")',
  cheerio: 'import { load } from "cheerio";\nreturn load("<p>a</p>")("p").text()',
};

const REGISTRY = [
  "escape-html@1.0.2",
  "escape-html@1.0.3",
  "escape-html@2.0.0-beta.1",
  "ms@2.1.3",
  "cookie",
  "kleur",
  "pathe",
  "debug",
  "@cfworker/json-schema",
];

let counter = 0;
const unique = () => `/* ${process.pid}-${counter++} */\n`;

async function run(url, code) {
  const started = performance.now();
  const response = await fetch(`${url}/execute`, { method: "POST", body: JSON.stringify({ code }) });
  const body = await response.json();
  const ms = performance.now() - started;
  if (response.status !== 200 || !body.ok)
    throw new Error(`${code.slice(0, 60)}: ${JSON.stringify(body.error ?? body)}`);
  return { ms, compileMs: body.timings.compileMs, runMs: body.timings.runMs };
}

const state = mkdtempSync(join(tmpdir(), "functions-do-bench-packages-"));
const registry = await startRegistry();
const args = ["--var", `NPM_REGISTRY:${registry.origin}`];
const results = { rounds, cold: {}, registry: {}, sizes: {} };
let server;
try {
  server = await startDevServer({ persistTo: state, args });
  const url = server.url;
  for (const code of Object.values(COLD)) await run(url, unique() + code); // warm the isolate and its checker-free paths

  // Cold runs, interleaved: one of each kind per round, the starting kind rotating.
  const samples = Object.fromEntries(Object.keys(COLD).map((name) => [name, []]));
  const names = Object.keys(COLD);
  for (let round = 0; round < rounds; round++) {
    for (let at = 0; at < names.length; at++) {
      const name = names[(round + at) % names.length];
      samples[name].push((await run(url, unique() + COLD[name])).ms);
    }
  }
  const base = summarize(samples["no imports"]).p50;
  for (const name of names) {
    const summary = summarize(samples[name]);
    results.cold[name] = { p50: summary.p50, p90: summary.p90, ratio: Math.round((summary.p50 / base) * 100) / 100 };
  }

  // Registry packages: first use, later uses in this isolate.
  for (const specifier of REGISTRY) {
    const code = `import * as m from "${specifier}";\nreturn Object.keys(m).length > 0`;
    const first = await run(url, unique() + code);
    const later = [];
    for (let index = 0; index < Math.min(rounds, 20); index++) later.push((await run(url, unique() + code)).ms);
    results.registry[specifier] = { first: Math.round(first.ms), laterP50: summarize(later).p50 };
  }
  // A restart on the same state: a new isolate, the bundles in R2.
  await server.stop();
  server = await startDevServer({ persistTo: state, args });
  for (const specifier of REGISTRY) {
    const code = `import * as m from "${specifier}";\nreturn Object.keys(m).length > 0`;
    results.registry[specifier].afterRestart = Math.round((await run(server.url, unique() + code)).ms);
  }
} finally {
  await server?.stop();
  await registry.close();
}

// Sizes: the ready set as the Worker carries it, and what R2 holds.
const libraries = join(root, "src/generated/libraries");
let raw = 0;
let gzip = 0;
for (const file of readdirSync(libraries)) {
  const bytes = readFileSync(join(libraries, file));
  raw += bytes.length;
  gzip += gzipSync(bytes, { level: 9 }).length;
}
results.sizes.readySet = { files: readdirSync(libraries).length, raw, gzip };
const blobs = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (dir.includes("/r2/") && dir.endsWith("blobs")) blobs.push(statSync(path).size);
  }
};
walk(state);
results.sizes.store = {
  objects: blobs.length,
  bytes: blobs.reduce((sum, size) => sum + size, 0),
  largest: Math.max(0, ...blobs),
};
rmSync(state, { recursive: true, force: true });

console.log("cold runs (compile-cache misses), ms:");
for (const [name, figure] of Object.entries(results.cold))
  console.log(`  ${name.padEnd(20)} p50 ${figure.p50}  p90 ${figure.p90}  ×${figure.ratio}`);
console.log("registry packages, ms: first use / later p50 / first use after a restart");
for (const [name, figure] of Object.entries(results.registry)) {
  console.log(`  ${name.padEnd(26)} ${figure.first} / ${figure.laterP50} / ${figure.afterRestart}`);
}
console.log(
  `ready set: ${results.sizes.readySet.raw} bytes raw, ${results.sizes.readySet.gzip} gzip (${results.sizes.readySet.files} text modules)`,
);
console.log(
  `store: ${results.sizes.store.objects} objects, ${results.sizes.store.bytes} bytes (largest ${results.sizes.store.largest})`,
);
mkdirSync(join(root, "bench/out"), { recursive: true });
writeFileSync(join(root, "bench/out/packages.json"), `${JSON.stringify(results, null, 2)}\n`);
