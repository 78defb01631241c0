// One timed request of the benchmark, and the error tally every phase keeps. Latency is what a
// client sees: from calling fetch to the last byte of the body.

import { performance } from "node:perf_hooks";

/** A request that takes longer than this counts as an error instead of hanging the benchmark. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How many error messages a tally keeps for the report (all errors are counted). */
const MAX_ERROR_SAMPLES = 10;

/**
 * Sends `request` ({ path, init }) to `url` and checks the answer: HTTP 200, a JSON body, and
 * `check(body)` returning nothing (it returns why the answer is wrong otherwise).
 * Resolves to `{ latencyMs, body }`, or `{ error }`; never rejects.
 */
export async function timedRequest(url, request, check, signal) {
  const { path, init } = request;
  const started = performance.now();
  let status;
  let text;
  try {
    const response = await fetch(url + path, {
      ...init,
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
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
  const error = check(body);
  return error ? { error } : { latencyMs, body };
}

/** A count of errors with the first few messages, for the report. */
export function errorTally() {
  return { count: 0, samples: [] };
}

export function recordError(tally, message) {
  tally.count++;
  if (tally.samples.length < MAX_ERROR_SAMPLES) tally.samples.push(message);
}

/** Adds `from`'s errors to `into` (sample messages up to the limit). */
export function mergeErrors(into, from) {
  into.count += from.count;
  for (const sample of from.samples) if (into.samples.length < MAX_ERROR_SAMPLES) into.samples.push(sample);
  return into;
}
