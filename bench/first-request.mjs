// The first-request phase: a second, fresh instance of the service (started as `npm start` starts
// it, without the bench routes), and the client-observed time of its first /execute, a TypeScript
// snippet with type annotations, sent the moment the instance reports ready (/health answers).
// What a user pays right after a deploy or a cold start, before any warm-up has finished.

import { performance } from "node:perf_hooks";
import { startDevServer } from "../scripts/dev-server.mjs";
import { MISS_TS } from "./kinds.mjs";
import { timedRequest } from "./request.mjs";
import { round2 } from "./stats.mjs";

/** Returns `{ readyMs, latencyMs, compileMs, runMs, error }`; the instance is stopped before it resolves. */
export async function measureFirstRequest({ counter, signal, output }) {
  const started = performance.now();
  const server = await startDevServer({ output });
  const readyMs = performance.now() - started;
  try {
    const i = counter.next++;
    const answer = await timedRequest(server.url, MISS_TS.request(i), (body) => MISS_TS.check(body, i), signal);
    return {
      readyMs: Math.round(readyMs),
      latencyMs: answer.error ? null : round2(answer.latencyMs),
      compileMs: answer.body?.timings?.compileMs ?? null,
      runMs: answer.body?.timings?.runMs ?? null,
      error: answer.error ?? null,
    };
  } finally {
    await server.stop();
  }
}
