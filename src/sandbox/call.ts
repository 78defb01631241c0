/**
 * Calls a loaded sandbox once, for any kind of invocation (run, serve, open, a call on an opened
 * object). The sandbox enforces the deadline itself (instrumented code, a timer for async waits);
 * the host races it with a backstop a little later, in case the isolate cannot answer at all.
 * Production also bounds CPU time and subrequests through the loader's limits. Never rejects: a
 * sandbox that fails or vanishes is reported as the protocol's `ErrorOutcome`.
 */

import type { ExecutionLimits } from "../../shared/limits";
import type { ErrorOutcome, SandboxEntrypoint, SandboxError } from "../../shared/protocol";

export interface SandboxCallOptions {
  sandbox: WorkerStub;
  timeoutMs: number;
  /** CPU time the platform allows the call (production). */
  cpuMs: number;
  limits: ExecutionLimits;
}

/** What the call answered (not yet vetted), or the error outcome of a call that did not answer. */
export interface SandboxAnswer<T> {
  outcome: T | ErrorOutcome;
  /** `Date.now()` when the call was made, for the `runMs` of outcomes made up later. */
  started: number;
}

export async function callSandbox<T>(
  options: SandboxCallOptions,
  call: (entrypoint: SandboxEntrypoint) => Promise<T>,
): Promise<SandboxAnswer<T>> {
  const { sandbox, timeoutMs, cpuMs, limits } = options;
  const entrypoint = sandbox.getEntrypoint(undefined, {
    limits: { cpuMs, subRequests: limits.subRequests },
  }) as unknown as SandboxEntrypoint;
  const started = Date.now();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const backstop = new Promise<ErrorOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve(
        failed(started, {
          kind: "timeout",
          name: "TimeoutError",
          message: `Execution exceeded the ${timeoutMs} ms deadline and the sandbox did not stop within ${limits.graceMs} ms.`,
        }),
      );
    }, timeoutMs + limits.graceMs);
  });
  const answered = call(entrypoint).catch((error: unknown) => failed(started, sandboxFailure(error)));
  try {
    return { outcome: await Promise.race([answered, backstop]), started };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** An error outcome the host makes up: nothing was logged or called that it knows of. */
export function failed(started: number, error: SandboxError): ErrorOutcome {
  return { type: "error", error, logs: [], calls: [], runMs: Date.now() - started };
}

/** The platform stopped the isolate (production limits) or it failed before answering. */
export function sandboxFailure(error: unknown): SandboxError {
  const message = error instanceof Error ? error.message : String(error);
  if (/cpu/i.test(message))
    return { kind: "timeout", name: "TimeoutError", message: `The sandbox exceeded its CPU time limit: ${message}` };
  if (/memory/i.test(message))
    return { kind: "resource", name: "ResourceError", message: `The sandbox exceeded its memory limit: ${message}` };
  if (/subrequest/i.test(message))
    return {
      kind: "resource",
      name: "ResourceError",
      message: `The sandbox exceeded its subrequest limit: ${message}`,
    };
  return { kind: "runtime", name: "SandboxError", message: `The sandbox stopped before answering: ${message}` };
}
