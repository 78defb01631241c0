#!/usr/bin/env node
// `npm run bench [-- --runs 3 --rounds 200 --warmup 30 --clients 8 --throughput-seconds 5
// --snippets 20000 --skip-memory]`: the performance of the service, started as `npm start` starts
// it (plus the bench-only `GET /__bench/floor`), in one script run. In order:
//
//   latency      p50/p90/p99 of GET /health, the bare-loader floor (one call into a cached isolate
//                that does nothing), /execute cache hits and JavaScript and TypeScript misses, and
//                the misses' server-reported compile time; `--runs` runs of `--rounds` rounds each
//   throughput   requests/s of cache hits and of /health with `--clients` concurrent clients
//   first        the first /execute of a fresh second instance, right after it reports ready
//   memory       workerd RSS while `--snippets` distinct snippets run (last: it takes minutes)
//
// Latency is measured in interleaved rounds (one request of each kind per round, the starting kind
// rotating) because on a shared machine the noise (GC, neighbours, CPU frequency) comes and goes:
// interleaved, it falls on every kind alike, so the ratios to /health and to the floor hold even
// when absolute times do not. Each figure is the median across runs. Prints the figures and the
// issue's targets (PASS/FAIL), writes them to bench/out/latest.json and bench/results.json, and
// draws bench/chart.svg. wrangler dev reloads the service when a source file changes; a run
// during which that happened is reported but writes only bench/out/latest.json, since its figures
// mix two builds. Exit code 1 when an answer was wrong or the service reloaded; a missed target is
// only reported.

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { abortOnSignals, startDevServer } from "../scripts/dev-server.mjs";
import { assess, totalErrors } from "./assess.mjs";
import { drawChart } from "./chart.mjs";
import { measureFirstRequest } from "./first-request.mjs";
import { measureLatency } from "./latency.mjs";
import { measureMemory } from "./memory.mjs";
import { reloadWatch } from "./processes.mjs";
import { printReport } from "./report.mjs";
import { measureThroughput } from "./throughput.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** Every figure of the latest run (gitignored). */
const LATEST_FILE = join(BENCH_DIR, "out", "latest.json");
/** What the benchmark's server wrote (gitignored): where to look when it reloaded or failed. */
const SERVER_LOG_FILE = join(BENCH_DIR, "out", "server.log");
/** The figures the README shows, and their chart (committed). */
const RESULTS_FILE = join(BENCH_DIR, "results.json");
const CHART_FILE = join(BENCH_DIR, "chart.svg");

/** Aborted on SIGINT/SIGTERM: the requests in flight end, no further phase runs, the servers stop. */
const interrupt = new AbortController();

const OPTIONS = {
  runs: { default: 3, help: "latency runs; each figure is the median across them" },
  rounds: { default: 200, help: "interleaved rounds per latency run" },
  warmup: { default: 30, help: "unmeasured rounds before each latency run" },
  clients: { default: 8, help: "concurrent clients of the throughput and memory phases" },
  "throughput-seconds": { default: 5, help: "seconds of throughput per kind" },
  snippets: { default: 20_000, help: "distinct snippets of the memory phase" },
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(
        Object.entries(OPTIONS).map(([name, o]) => [name, { type: "string", default: String(o.default) }]),
      ),
      "skip-memory": { type: "boolean", default: false },
    },
  });
  const options = { skipMemory: values["skip-memory"] };
  for (const name of Object.keys(OPTIONS)) {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(
        `--${name} (${OPTIONS[name].help}) must be a positive integer, got ${JSON.stringify(values[name])}`,
      );
    }
    options[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = value;
  }
  return options;
}

async function main() {
  const options = parseOptions();
  // The servers run in their own process groups, so Ctrl-C does not reach them: the finally
  // blocks stop them. A second Ctrl-C kills the benchmark at once.
  abortOnSignals(interrupt);
  const signal = interrupt.signal;
  const log = (line) => console.log(line);
  const started = performance.now();

  const serverLog = [];
  console.log("starting the service (wrangler dev, BENCH_ROUTES=1)…");
  const server = await withLog(serverLog, () =>
    startDevServer({ args: ["--var", "BENCH_ROUTES:1"], output: (text) => serverLog.push(text) }),
  );
  // Request numbers, unique across the script, so that no two miss snippets are ever the same.
  const counter = { next: 1 };
  let figures;
  try {
    // A reload shows in the server's output (wrangler's rebuild, or a crashed runtime): print what
    // it wrote since the check before, so that the cause is on screen.
    let logSeen = 0;
    const watch = reloadWatch(server.child.pid, server.port, (reload) => {
      console.log(`  WARNING: the service reloaded during ${reload.phase} (workerd ${reload.from} → ${reload.to});`);
      console.log("  the server's output since the check before:");
      const lines = serverLog.slice(logSeen).join("").split("\n");
      for (const line of lines.filter((l) => l.trim() !== "").slice(-20)) console.log(`    | ${line}`);
      logSeen = serverLog.length;
    });
    const checkReload = (phase) => {
      watch.check(phase);
      logSeen = serverLog.length;
    };
    console.log(`service on ${server.url} (pid ${server.child.pid})`);
    console.log(`latency: ${options.runs} runs × (${options.warmup} warm-up + ${options.rounds} rounds)…`);
    const latency = await withLog(serverLog, () => measureLatency(server.url, { ...options, counter, signal, log }));
    if (signal.aborted) return;
    checkReload("latency");

    console.log(`throughput: ${options.clients} clients, ${options.throughputSeconds} s per kind…`);
    const throughput = await withLog(serverLog, () =>
      measureThroughput(server.url, {
        clients: options.clients,
        seconds: options.throughputSeconds,
        counter,
        signal,
        log,
      }),
    );
    if (signal.aborted) return;
    checkReload("throughput");

    console.log("first request: starting a second, fresh instance…");
    const firstLog = [];
    const firstRequest = await withLog(firstLog, () =>
      measureFirstRequest({ counter, signal, output: (text) => firstLog.push(text) }),
    );
    if (signal.aborted) return;
    log(`  ready after ${firstRequest.readyMs} ms; first /execute ${firstRequest.latencyMs ?? firstRequest.error} ms`);

    let memory = { skipped: true };
    if (!options.skipMemory) {
      console.log(`memory: ${options.snippets} distinct snippets, ${options.clients} clients…`);
      memory = await withLog(serverLog, () =>
        measureMemory(server.url, {
          server,
          watch,
          snippets: options.snippets,
          clients: options.clients,
          counter,
          signal,
          log,
        }),
      );
      if (signal.aborted) return;
    }

    figures = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: { model: cpus()[0]?.model ?? "unknown", cores: cpus().length },
      options,
      durationMs: Math.round(performance.now() - started),
      latency,
      throughput,
      firstRequest,
      memory,
      reloads: watch.reloads,
    };
    figures.assessment = assess(figures);
  } finally {
    await server.stop();
    mkdirSync(dirname(SERVER_LOG_FILE), { recursive: true });
    writeFileSync(SERVER_LOG_FILE, serverLog.join(""));
  }

  printReport(figures);
  // Only a complete run is written: an interrupted one leaves the last figures in place, and one
  // during which the service reloaded does not replace the committed figures.
  const json = `${JSON.stringify(figures, null, 2)}\n`;
  writeFileSync(LATEST_FILE, json);
  if (figures.reloads.length === 0) {
    writeFileSync(RESULTS_FILE, json);
    writeFileSync(CHART_FILE, drawChart(figures));
    console.log(`\nwrote ${LATEST_FILE}, ${RESULTS_FILE} and ${CHART_FILE}`);
  } else {
    console.log(
      `\nwrote ${LATEST_FILE} only: the service reloaded during the run, so ${RESULTS_FILE} and ${CHART_FILE} are kept`,
    );
  }
  if (totalErrors(figures) > 0 || figures.reloads.length > 0) process.exitCode = 1;
}

/** Runs `phase`; if it throws, prints the last lines a server wrote first, to show why. */
async function withLog(serverLog, phase) {
  try {
    return await phase();
  } catch (error) {
    console.error(serverLog.join("").split("\n").slice(-30).join("\n"));
    throw error;
  }
}

await main();
