// Concurrent clients for the throughput and memory phases: each client sends one request at a
// time, the next as soon as its previous one is answered.

import { performance } from "node:perf_hooks";

/**
 * Runs `clients` concurrent loops calling `send(i)`, i the next number of `counter`, until `count`
 * requests are sent, the `deadline` (a performance.now() time) has passed, or `signal` aborts.
 * Requests in flight then are awaited. Resolves to the number of requests sent.
 */
export async function runClients({ clients, count = Infinity, deadline = Infinity, counter, signal, send }) {
  let sent = 0;
  const more = () => sent < count && performance.now() < deadline && !signal.aborted;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (more()) {
        sent++;
        await send(counter.next++);
      }
    }),
  );
  return sent;
}
