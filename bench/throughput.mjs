// The throughput phase: `clients` concurrent clients send cache hits, and /health, as fast as
// answers come, for a fixed time each. The time is cut into one-second slices run in the order
// health, hit, hit, health, health, hit, …, so that a change of the machine's speed during the
// phase (a neighbour's burst, a drift) falls on both kinds alike, as in the latency rounds.

import { performance } from "node:perf_hooks";
import { runClients } from "./clients.mjs";
import { HEALTH, HIT } from "./kinds.mjs";
import { errorTally, mergeErrors, recordError, timedRequest } from "./request.mjs";
import { round2 } from "./stats.mjs";

/** Requests of each kind sent per client, unmeasured, before the phase (opens the connections). */
const WARMUP_PER_CLIENT = 5;
/** Length of one slice: short enough to interleave, long enough that the ramp at its ends is small. */
const SLICE_MS = 1_000;
/** The order of the slices, repeated: each kind runs first and second equally often. */
const SLICE_ORDER = [HEALTH, HIT, HIT, HEALTH];

/**
 * Returns `{ clients, seconds, health, hit, ratioHitToHealth }`, each kind with its answered
 * requests, errors and requests/s. Assumes the hit's snippet is already compiled.
 */
export async function measureThroughput(url, { clients, seconds, counter, signal, log }) {
  const totals = Object.fromEntries(
    [HEALTH, HIT].map((kind) => [kind.name, { requests: 0, elapsedMs: 0, errors: errorTally() }]),
  );
  // Warm-up errors count too: every answer must be right.
  for (const kind of [HEALTH, HIT]) {
    const warm = await burst(url, kind, { clients, count: clients * WARMUP_PER_CLIENT, counter, signal });
    mergeErrors(totals[kind.name].errors, warm.errors);
  }
  const slices = 2 * Math.ceil((seconds * 1000) / SLICE_MS);
  for (let slice = 0; slice < slices && !signal.aborted; slice++) {
    const kind = SLICE_ORDER[slice % SLICE_ORDER.length];
    const durationMs = (seconds * 1000) / (slices / 2);
    const segment = await burst(url, kind, { clients, durationMs, counter, signal });
    const total = totals[kind.name];
    total.requests += segment.requests;
    total.elapsedMs += segment.elapsedMs;
    mergeErrors(total.errors, segment.errors);
  }
  const figures = {
    clients,
    seconds,
    ...Object.fromEntries(
      Object.entries(totals).map(([name, total]) => [
        name,
        {
          requests: total.requests,
          errors: total.errors,
          elapsedMs: Math.round(total.elapsedMs),
          perSecond: round2(total.requests / (total.elapsedMs / 1000)),
        },
      ]),
    ),
  };
  figures.ratioHitToHealth = round2(figures.hit.perSecond / figures.health.perSecond);
  log(`  /health ${figures.health.perSecond} req/s, hit ${figures.hit.perSecond} req/s`);
  return figures;
}

/**
 * `clients` clients sending `kind` until `durationMs` has passed (requests in flight then still
 * count) or `count` requests have been sent. Only correct answers count as requests.
 */
async function burst(url, kind, { clients, durationMs = Infinity, count = Infinity, counter, signal }) {
  const errors = errorTally();
  let requests = 0;
  const started = performance.now();
  await runClients({
    clients,
    count,
    deadline: started + durationMs,
    counter,
    signal,
    send: async (i) => {
      const answer = await timedRequest(url, kind.request(i), (body) => kind.check(body, i), signal);
      if (!answer.error) requests++;
      else if (!signal.aborted) recordError(errors, `${kind.name} #${i}: ${answer.error}`);
    },
  });
  return { requests, errors, elapsedMs: performance.now() - started };
}
