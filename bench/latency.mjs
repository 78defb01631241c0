// The latency phase: `runs` runs, each a warm-up and then `rounds` interleaved rounds of one request
// of every kind (LATENCY_KINDS), one after another from a single client, the starting kind rotating
// each round. Interleaving puts machine noise (GC, a busy neighbour, CPU frequency) on all kinds
// alike, so the ratios between kinds stay meaningful on a shared machine; repeating the whole run
// and taking the median of each figure across runs keeps one noisy run from deciding them.

import { performance } from "node:perf_hooks";
import { HIT, LATENCY_KINDS } from "./kinds.mjs";
import { errorTally, mergeErrors, recordError, timedRequest } from "./request.mjs";
import { median, round2, summarize } from "./stats.mjs";

/**
 * Measures every kind in `runs` runs and returns `{ kinds, runs, warmupErrors }`: per kind the
 * median across runs of p50/p90/p99, of its p50 ratios to /health and to the floor, and of the
 * server's compile/run timings, with each run's own figures alongside.
 * `counter.next` numbers the requests (unique across the script); `log` prints progress.
 */
export async function measureLatency(url, { runs, rounds, warmup, counter, signal, log }) {
  // Compiles the hit's snippet once, so that every request of that kind after it is a hit.
  const primed = await timedRequest(url, HIT.request(0), (body) => (body?.ok ? undefined : "priming failed"), signal);
  if (primed.error) throw new Error(`priming the cache-hit snippet failed: ${primed.error}`);

  const perRun = [];
  const warmupErrors = errorTally();
  for (let run = 1; run <= runs && !signal.aborted; run++) {
    mergeErrors(warmupErrors, totalErrors(await runRounds(url, warmup, counter, signal)));
    const started = performance.now();
    const samples = await runRounds(url, rounds, counter, signal, progress(run, runs, rounds));
    if (signal.aborted) break;
    const figures = summarizeRun(samples);
    perRun.push({ ...figures, durationMs: Math.round(performance.now() - started) });
    const p50s = LATENCY_KINDS.map((kind) => `${kind.name} ${figures[kind.name].latencyMs.p50}`).join(", ");
    log(
      `  run ${run}/${runs}: ${rounds} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s; p50 ms: ${p50s}`,
    );
  }
  return { kinds: combineRuns(perRun), runs: perRun.map((run) => ({ durationMs: run.durationMs })), warmupErrors };
}

/** `rounds` interleaved rounds; per kind the latencies, server timings and errors. */
async function runRounds(url, rounds, counter, signal, onRound = () => {}) {
  const samples = Object.fromEntries(
    LATENCY_KINDS.map((kind) => [kind.name, { latencyMs: [], compileMs: [], runMs: [], errors: errorTally() }]),
  );
  for (let round = 0; round < rounds && !signal.aborted; round++) {
    for (let k = 0; k < LATENCY_KINDS.length; k++) {
      const kind = LATENCY_KINDS[(round + k) % LATENCY_KINDS.length];
      const i = counter.next++;
      const answer = await timedRequest(url, kind.request(i), (body) => kind.check(body, i), signal);
      const into = samples[kind.name];
      if (answer.error) {
        if (!signal.aborted) recordError(into.errors, `#${i}: ${answer.error}`);
        continue;
      }
      into.latencyMs.push(answer.latencyMs);
      const timings = answer.body.timings;
      if (typeof timings?.compileMs === "number") into.compileMs.push(timings.compileMs);
      if (typeof timings?.runMs === "number") into.runMs.push(timings.runMs);
    }
    onRound(round + 1);
  }
  return samples;
}

function totalErrors(samples) {
  return Object.values(samples).reduce((total, kind) => mergeErrors(total, kind.errors), errorTally());
}

/** One run's figures per kind, with its p50 ratios to /health and to the floor. */
function summarizeRun(samples) {
  const figures = {};
  for (const kind of LATENCY_KINDS) {
    const s = samples[kind.name];
    figures[kind.name] = {
      latencyMs: summarize(s.latencyMs),
      compileMs: summarize(s.compileMs),
      runMs: summarize(s.runMs),
      errors: s.errors,
    };
  }
  const ratio = (p50, base) => (p50 === null || !base ? null : p50 / base);
  for (const kind of LATENCY_KINDS) {
    const f = figures[kind.name];
    f.ratioToHealth = ratio(f.latencyMs.p50, figures.health.latencyMs.p50);
    f.ratioToFloor = ratio(f.latencyMs.p50, figures.floor.latencyMs.p50);
  }
  return figures;
}

/** Per kind, the median across runs of each figure (ratios included: the median of the runs' ratios). */
function combineRuns(perRun) {
  const kinds = {};
  for (const kind of LATENCY_KINDS) {
    const runs = perRun.map((run) => run[kind.name]);
    const mid = (pick) => {
      const value = median(runs.map(pick));
      return value === null ? null : round2(value);
    };
    const hasServerTimings = runs.some((run) => run.compileMs.n > 0);
    kinds[kind.name] = {
      label: kind.label,
      n: runs.reduce((sum, run) => sum + run.latencyMs.n, 0),
      errors: runs.reduce((total, run) => mergeErrors(total, run.errors), errorTally()),
      p50: mid((run) => run.latencyMs.p50),
      p90: mid((run) => run.latencyMs.p90),
      p99: mid((run) => run.latencyMs.p99),
      ratioToHealth: mid((run) => run.ratioToHealth),
      ratioToFloor: mid((run) => run.ratioToFloor),
      server: hasServerTimings
        ? {
            compileMs: { p50: mid((run) => run.compileMs.p50), p90: mid((run) => run.compileMs.p90) },
            runMs: { p50: mid((run) => run.runMs.p50), p90: mid((run) => run.runMs.p90) },
          }
        : undefined,
      runs: runs.map((run) => ({
        n: run.latencyMs.n,
        errors: run.errors.count,
        p50: run.latencyMs.p50,
        p90: run.latencyMs.p90,
        p99: run.latencyMs.p99,
        ratioToHealth: run.ratioToHealth === null ? null : round2(run.ratioToHealth),
        ratioToFloor: run.ratioToFloor === null ? null : round2(run.ratioToFloor),
        compileMs: hasServerTimings ? { p50: run.compileMs.p50, p90: run.compileMs.p90 } : undefined,
      })),
    };
  }
  return kinds;
}

/** On a terminal, a progress line every tenth of a run, rewritten in place (the run's summary follows). */
function progress(run, runs, rounds) {
  const step = Math.max(1, Math.round(rounds / 10));
  return (done) => {
    if (!process.stdout.isTTY || done % step !== 0 || done === rounds) return;
    process.stdout.write(`  run ${run}/${runs}: ${done}/${rounds}\r`);
  };
}
