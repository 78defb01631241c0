// The memory phase: host memory of the service while it compiles and runs many distinct snippets.
// It sums the resident set (VmRSS) of the workerd processes under the benchmark's server process,
// sends `snippets` distinct JavaScript snippets from concurrent clients, samples the sum every
// tenth of the way, and reports the growth per 1,000 snippets over the second half: near zero
// once the bounded caches are full, if nothing else keeps memory per snippet. Linux only (/proc).
// A reload of the service (a new runtime process) empties its memory: such a sample is marked.
// The total counts wrangler's dev proxy too; the runtime process alone (the Workers, the host
// isolate's caches and the sandboxes) is what the README's bound is about, so it is kept apart.

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { runClients } from "./clients.mjs";
import { MEMORY_SNIPPET } from "./kinds.mjs";
import { workerdProcesses } from "./processes.mjs";
import { errorTally, recordError, timedRequest } from "./request.mjs";
import { round2, slope, summarize } from "./stats.mjs";

/**
 * What the README states bounds the growth: the compile cache's bytes, and the named (cached)
 * sandbox isolates a host isolate may create, at about 3 MB each. One-off snippets run in unnamed
 * isolates, which are reclaimed.
 */
export const README_BOUND = { compileCacheMiB: 16, namedIsolates: 128, perIsolateMB: 3 };
/** How long the service is left idle after the last snippet before the settled sample. */
const SETTLE_MS = 5_000;

/**
 * Returns `{ processes, beforeMiB, samples, finalMiB, settledMiB, growthMiB,
 * growthPer1000LastHalfMiB, runtime: { …the same for the runtime process alone }, errors, … }`;
 * samples are `{ snippets, rssMiB, runtimeMiB, seconds, reloaded }`.
 * `server` is the service's `{ child, port }`; `watch` its reloadWatch. Undefined when interrupted.
 */
export async function measureMemory(url, { server, watch, snippets, clients, counter, signal, log }) {
  const processes = () => workerdProcesses(server.child.pid, server.port);
  const before = processes();
  if (before.length === 0) throw new Error(`no workerd process found under the server (pid ${server.child.pid})`);
  const beforeMiB = totalMiB(before);
  const runtimeBeforeMiB = totalMiB(runtimeOf(before));
  log(`  before: ${beforeMiB} MiB in workerd ${before.map((p) => `${p.role} ${p.pid}`).join(", ")}`);

  const sampleEvery = Math.max(1, Math.round(snippets / 10));
  const samples = [{ snippets: 0, rssMiB: beforeMiB, runtimeMiB: runtimeBeforeMiB, seconds: 0, reloaded: false }];
  const errors = errorTally();
  const latencyMs = [];
  const started = performance.now();
  let done = 0;
  const send = async (i) => {
    const answer = await timedRequest(url, MEMORY_SNIPPET.request(i), (body) => MEMORY_SNIPPET.check(body, i), signal);
    if (answer.error) {
      if (!signal.aborted) recordError(errors, `#${i}: ${answer.error}`);
    } else {
      latencyMs.push(answer.latencyMs);
    }
    done++;
    if (done % sampleEvery === 0 || done === snippets) {
      const now = processes();
      const sample = {
        snippets: done,
        rssMiB: totalMiB(now),
        runtimeMiB: totalMiB(runtimeOf(now)),
        seconds: round2((performance.now() - started) / 1000),
        reloaded: watch.check(`memory, by ${done} snippets`),
      };
      samples.push(sample);
      const reloaded = sample.reloaded ? " — the service was RELOADED since the last sample" : "";
      log(
        `  ${sample.snippets} snippets: ${sample.rssMiB} MiB, runtime ${sample.runtimeMiB} MiB (${sample.seconds} s, ${errors.count} errors)${reloaded}`,
      );
    }
  };
  await runClients({ clients, count: snippets, counter, signal, send });
  const durationMs = performance.now() - started;
  const final = samples.at(-1);
  if (signal.aborted) return undefined;
  await sleep(SETTLE_MS, undefined, { signal }).catch(() => {});
  const after = processes();
  const settledMiB = totalMiB(after);
  log(`  ${SETTLE_MS / 1000} s idle after the last snippet: ${settledMiB} MiB`);

  // Growth over the second half (the samples from halfway on): a least-squares slope, so one
  // sample taken during a GC does not decide it.
  const lastHalf = samples.filter((sample) => sample.snippets >= snippets / 2);
  const per1000 = (pick) => {
    const perSnippet = slope(lastHalf.map((sample) => ({ x: sample.snippets, y: pick(sample) })));
    return perSnippet === null ? null : round2(perSnippet * 1000);
  };
  return {
    snippets,
    clients,
    sampleEvery,
    processes: after.map((p) => ({
      pid: p.pid,
      role: p.role,
      beforeMiB: mib(before.find((b) => b.role === p.role)?.rssKiB),
      afterMiB: mib(p.rssKiB),
    })),
    beforeMiB,
    samples,
    finalMiB: final.rssMiB,
    settledMiB,
    growthMiB: round2(final.rssMiB - beforeMiB),
    growthPer1000LastHalfMiB: per1000((sample) => sample.rssMiB),
    runtime: {
      beforeMiB: runtimeBeforeMiB,
      finalMiB: final.runtimeMiB,
      growthMiB: round2(final.runtimeMiB - runtimeBeforeMiB),
      growthPer1000LastHalfMiB: per1000((sample) => sample.runtimeMiB),
    },
    durationMs: Math.round(durationMs),
    perSecond: round2(done / (durationMs / 1000)),
    latencyMs: summarize(latencyMs),
    errors,
    bound: { ...README_BOUND, totalMiB: boundMiB() },
  };
}

/** The README's bound on growth in MiB: the compile cache plus every named isolate. */
export function boundMiB() {
  const { compileCacheMiB, namedIsolates, perIsolateMB } = README_BOUND;
  return round2(compileCacheMiB + (namedIsolates * perIsolateMB * 1e6) / 2 ** 20);
}

function runtimeOf(processes) {
  return processes.filter((p) => p.role === "runtime");
}

function totalMiB(processes) {
  return mib(processes.reduce((sum, p) => sum + p.rssKiB, 0));
}

function mib(kib) {
  return kib === undefined ? null : round2(kib / 1024);
}
