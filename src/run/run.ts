/**
 * Runs a loaded sandbox once. The sandbox enforces the deadline itself (instrumented code, a timer
 * for async waits); the host races it with a backstop a little later, in case the isolate cannot
 * answer at all. Production also bounds CPU time and subrequests through the loader's limits.
 * Never rejects: a sandbox that fails or vanishes is reported as an error outcome.
 */

import type { ExecutionLimits } from "../../shared/limits";
import type { RunOutcome, RunRequest, SandboxEntrypoint, SandboxError } from "../../shared/protocol";

export interface RunOptions {
  sandbox: WorkerStub;
  request: RunRequest;
  /** CPU time the platform allows the run (production). */
  cpuMs: number;
  limits: ExecutionLimits;
}

export async function runSandbox({ sandbox, request, cpuMs, limits }: RunOptions): Promise<RunOutcome> {
  const { timeoutMs } = request;
  const entrypoint = sandbox.getEntrypoint(undefined, {
    limits: { cpuMs, subRequests: limits.subRequests },
  }) as unknown as SandboxEntrypoint;
  const started = Date.now();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const backstop = new Promise<RunOutcome>((resolve) => {
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
  const call = entrypoint.run(request).catch((error: unknown) => failed(started, sandboxFailure(error)));
  try {
    return await Promise.race([call, backstop]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function failed(started: number, error: SandboxError): RunOutcome {
  return { type: "error", error, logs: [], calls: [], runMs: Date.now() - started };
}

/** The platform stopped the isolate (production limits) or it failed before answering. */
function sandboxFailure(error: unknown): SandboxError {
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
