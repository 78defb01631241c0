/**
 * Passes one HTTP request to a loaded sandbox's fetch handler (`/fn/:name/*`). Like `runSandbox`:
 * the sandbox enforces the deadline, the host backstops it a little later, and the answer is
 * checked as untrusted input. Never rejects.
 */

import type { ExecutionLimits } from "../../shared/limits";
import type { RunRequest, ServeOutcome } from "../../shared/protocol";
import { failed, vettedError, withBackstop } from "./run";

export interface ServeOptions {
  sandbox: WorkerStub;
  /** The request for the handler, already stripped of what the sandbox must not see. */
  http: Request;
  request: RunRequest;
  /** CPU time the platform allows the run (production). */
  cpuMs: number;
  limits: ExecutionLimits;
}

export async function serveSandbox({ sandbox, http, request, cpuMs, limits }: ServeOptions): Promise<ServeOutcome> {
  const { outcome, started } = await withBackstop(
    { sandbox, timeoutMs: request.timeoutMs, cpuMs, limits },
    (entrypoint) => entrypoint.serve(http, request),
    (at, error) => failed(at, error) as ServeOutcome,
  );
  return vetted(outcome, started);
}

/** The sandbox's answer, checked: a real `Response`, a bounded description, or a known error. */
function vetted(outcome: ServeOutcome, started: number): ServeOutcome {
  if (outcome.type === "response" && outcome.response instanceof Response) return outcome;
  if (outcome.type === "no-handler") return { ...outcome, got: String(outcome.got).slice(0, 200) };
  if (outcome.type !== "error" || typeof outcome.error !== "object" || outcome.error === null) {
    return failed(started, {
      kind: "runtime",
      name: "SandboxError",
      message: "The sandbox answered something that is not a serve outcome.",
    }) as ServeOutcome;
  }
  // An HTTP error answer carries no own properties of the thrown error.
  const { props: _props, ...error } = vettedError(outcome.error);
  return { ...outcome, error };
}
