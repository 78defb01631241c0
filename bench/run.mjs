#!/usr/bin/env node
// `npm run bench [-- --rounds N] [-- --warmup N]`: client-observed latency of the service, started
// exactly as `npm start` starts it. Four kinds of request: GET /health (the floor, one HTTP round
// trip to the Worker), an /execute cache hit, and /execute cache misses in JavaScript and in
// TypeScript (a new snippet each time: compile plus a fresh dynamic isolate).
//
// The kinds are measured in interleaved rounds, one request of each kind per round (the starting
// kind rotates), so that machine noise (GC, a busy neighbour, CPU frequency) falls on all kinds
// alike and the ratios to /health stay meaningful. Writes the figures to bench/out/latest.json.

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startDevServer } from "../scripts/dev-server.mjs";
import { formatTable, ms, round2, summarize } from "./stats.mjs";

const OUT_FILE = join(dirname(fileURLToPath(import.meta.url)), "out", "latest.json");
/** A request that takes longer than this counts as an error instead of hanging the benchmark. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How many error messages to keep for the report (all errors are counted). */
const MAX_ERROR_SAMPLES = 10;

/** Aborted on SIGINT/SIGTERM: the request in flight ends, no more rounds run, the server stops. */
const interrupt = new AbortController();

/** The cache hit, primed once before the warm-up. */
const HIT = {
  name: "hit",
  label: "execute hit",
  // Args are not part of the id: once compiled, every request of this kind is a cache hit.
  request: (i) => execute({ code: "return args.n * 2", language: "javascript", args: { n: i } }),
  check: (body, i) => checkExecution(body, { result: i * 2, cached: true }),
};

/**
 * The kinds of request. `request(i)` builds the i-th request (i is unique across the whole run,
 * warm-up included, so a miss is never served from the cache) and `check(body, i)` returns why
 * the answer is wrong, or nothing when it is right.
 */
const KINDS = [
  {
    name: "health",
    label: "GET /health",
    request: () => ({ path: "/health" }),
    check: (body) => (body?.ok === true ? undefined : `expected {"ok":true}, got ${JSON.stringify(body)}`),
  },
  HIT,
  {
    name: "missJs",
    label: "execute miss JS",
    request: (i) => execute({ code: `return ${i} + args.n`, language: "javascript", args: { n: 1 } }),
    check: (body, i) => checkExecution(body, { result: i + 1, cached: false }),
  },
  {
    name: "missTs",
    label: "execute miss TS",
    request: (i) =>
      execute({
        code: `const n: number = ${i}; return n + (args.n as number)`,
        language: "typescript",
        args: { n: 1 },
      }),
    check: (body, i) => checkExecution(body, { result: i + 1, cached: false }),
  },
];

function execute(body) {
  return {
    path: "/execute",
    init: { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  };
}

function checkExecution(body, expected) {
  if (body?.ok !== true) return `expected ok: true, got ${JSON.stringify(body?.error ?? body)}`;
  if (body.result !== expected.result) return `expected result ${expected.result}, got ${JSON.stringify(body.result)}`;
  if (body.cached !== expected.cached) return `expected cached: ${expected.cached}, got ${body.cached}`;
  return undefined;
}

function parseOptions() {
  const { values } = parseArgs({
    options: { rounds: { type: "string", default: "300" }, warmup: { type: "string", default: "50" } },
  });
  const positive = (name) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(values[name])}`);
    }
    return value;
  };
  return { rounds: positive("rounds"), warmup: positive("warmup") };
}

/** One timed request: the latency covers the whole body, as a client sees it. */
async function measure(url, kind, i) {
  const { path, init } = kind.request(i);
  const signal = AbortSignal.any([interrupt.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  const started = performance.now();
  let status;
  let text;
  try {
    const response = await fetch(url + path, { ...init, signal });
    status = response.status;
    text = await response.text();
  } catch (error) {
    return { error: `request failed: ${error.message}` };
  }
  const latencyMs = performance.now() - started;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: `HTTP ${status}, body not JSON: ${text.slice(0, 200)}` };
  }
  if (status !== 200) return { error: `expected HTTP 200, got ${status}: ${text.slice(0, 200)}` };
  const error = kind.check(body, i);
  return error ? { error } : { latencyMs, compileMs: body.timings?.compileMs, runMs: body.timings?.runMs };
}

/** Runs `rounds` interleaved rounds; returns per-kind samples and errors. */
async function runRounds(url, rounds, counter, onRound = () => {}) {
  const results = Object.fromEntries(
    KINDS.map((kind) => [kind.name, { latencyMs: [], compileMs: [], runMs: [], errors: 0, errorSamples: [] }]),
  );
  for (let round = 0; round < rounds && !interrupt.signal.aborted; round++) {
    for (let k = 0; k < KINDS.length; k++) {
      const kind = KINDS[(round + k) % KINDS.length];
      const i = counter.next++;
      const sample = await measure(url, kind, i);
      const into = results[kind.name];
      if (sample.error) {
        into.errors++;
        if (into.errorSamples.length < MAX_ERROR_SAMPLES) into.errorSamples.push(`#${i}: ${sample.error}`);
        continue;
      }
      into.latencyMs.push(sample.latencyMs);
      if (typeof sample.compileMs === "number") into.compileMs.push(sample.compileMs);
      if (typeof sample.runMs === "number") into.runMs.push(sample.runMs);
    }
    onRound(round + 1);
  }
  return results;
}

/** A progress line every tenth of the run: rewritten in place on a terminal, one line each otherwise. */
function progress(rounds) {
  const step = Math.max(1, Math.round(rounds / 10));
  return (done) => {
    if (done % step !== 0 && done !== rounds) return;
    if (process.stdout.isTTY) process.stdout.write(`  ${done}/${rounds}${done === rounds ? "\n" : "\r"}`);
    else console.log(`  ${done}/${rounds}`);
  };
}

function report(results, meta) {
  const kinds = {};
  for (const kind of KINDS) {
    const r = results[kind.name];
    const server =
      kind.name === "health" ? undefined : { compileMs: summarize(r.compileMs), runMs: summarize(r.runMs) };
    kinds[kind.name] = { label: kind.label, errors: r.errors, latencyMs: summarize(r.latencyMs), server };
  }
  const floor = kinds.health.latencyMs.p50;
  for (const kind of Object.values(kinds)) {
    const p50 = kind.latencyMs.p50;
    kind.ratioToHealthP50 = p50 === null || !floor ? null : round2(p50 / floor);
  }
  return { ...meta, kinds, errorSamples: Object.fromEntries(KINDS.map((k) => [k.name, results[k.name].errorSamples])) };
}

function printReport(figures) {
  console.log(`\ndate:  ${figures.date}`);
  console.log(`node:  ${figures.node}`);
  console.log(`cpu:   ${figures.cpu.model} (${figures.cpu.cores} cores)`);
  console.log(`runs:  ${figures.rounds} interleaved rounds after ${figures.warmupRounds} warm-up rounds`);
  console.log(`time:  ${(figures.durationMs / 1000).toFixed(1)} s measuring\n`);
  const header = [
    "kind",
    "n",
    "errors",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "p50/health",
    "compile p50",
    "compile p90",
    "run p50",
  ];
  const isMiss = (name) => name === "missJs" || name === "missTs";
  const rows = Object.entries(figures.kinds).map(([name, kind]) => [
    kind.label,
    String(kind.latencyMs.n),
    String(kind.errors),
    ms(kind.latencyMs.p50),
    ms(kind.latencyMs.p90),
    ms(kind.latencyMs.p99),
    kind.ratioToHealthP50 === null ? "–" : `${kind.ratioToHealthP50.toFixed(2)}x`,
    isMiss(name) ? ms(kind.server.compileMs.p50) : "–",
    isMiss(name) ? ms(kind.server.compileMs.p90) : "–",
    kind.server ? ms(kind.server.runMs.p50) : "–",
  ]);
  console.log(formatTable(header, rows));
  console.log("\nlatency: client-observed, fetch to last body byte; compile, run: server-reported timings (ms)");
  console.log("(workerd's clock advances only on I/O, so server timings are whole ms and miss pure CPU work)");
  for (const [name, samples] of Object.entries(figures.errorSamples)) {
    if (samples.length === 0) continue;
    console.log(`\nerrors of ${name} (first ${samples.length}):`);
    for (const sample of samples) console.log(`  ${sample}`);
  }
}

async function main() {
  const { rounds, warmup } = parseOptions();
  // The server runs in its own process group, so Ctrl-C does not reach it: the finally below
  // stops it. A second Ctrl-C kills the benchmark at once.
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the service`);
      process.exitCode = 130;
      interrupt.abort();
    });
  }

  const serverLog = [];
  const printServerLog = () => console.error(serverLog.join("").split("\n").slice(-30).join("\n"));
  console.log("starting the service (wrangler dev)…");
  let server;
  try {
    server = await startDevServer({ output: (text) => serverLog.push(text) });
  } catch (error) {
    printServerLog();
    throw error;
  }
  try {
    if (interrupt.signal.aborted) return;
    console.log(`service on ${server.url}; warming up (${warmup} rounds)…`);
    // Compiles the cache-hit snippet once, so that every request of that kind after it is a hit.
    await fetch(server.url + HIT.request(0).path, HIT.request(0).init).then((response) => response.text());
    const counter = { next: 1 };
    const warm = await runRounds(server.url, warmup, counter);
    if (interrupt.signal.aborted) return;
    const warmErrors = Object.values(warm).reduce((sum, r) => sum + r.errors, 0);
    if (warmErrors > 0) {
      console.log(`warm-up: ${warmErrors} errors`);
      for (const r of Object.values(warm)) for (const sample of r.errorSamples) console.log(`  ${sample}`);
    }

    console.log(`measuring ${rounds} rounds…`);
    const started = performance.now();
    const results = await runRounds(server.url, rounds, counter, progress(rounds));
    const durationMs = performance.now() - started;
    // An interrupted run is incomplete: no report, and bench/out/latest.json keeps the last full run.
    if (interrupt.signal.aborted) return;

    const figures = report(results, {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: { model: cpus()[0]?.model ?? "unknown", cores: cpus().length },
      rounds,
      warmupRounds: warmup,
      warmupErrors: warmErrors,
      durationMs: Math.round(durationMs),
    });
    printReport(figures);
    mkdirSync(dirname(OUT_FILE), { recursive: true });
    writeFileSync(OUT_FILE, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`\nwrote ${OUT_FILE}`);
    const totalErrors = Object.values(figures.kinds).reduce((sum, kind) => sum + kind.errors, 0);
    if (totalErrors > 0) process.exitCode = 1;
  } catch (error) {
    printServerLog();
    throw error;
  } finally {
    await server.stop();
  }
}

await main();
