/**
 * Runs a loaded sandbox once. The sandbox enforces the deadline itself (instrumented code, a timer
 * for async waits); the host races it with a backstop a little later, in case the isolate cannot
 * answer at all. Production also bounds CPU time and subrequests through the loader's limits.
 * Never rejects: a sandbox that fails or vanishes is reported as an error outcome.
 */

import { boundedError } from "../../shared/error-bounds";
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
  const { outcome, started } = await withBackstop(
    { sandbox, timeoutMs: request.timeoutMs, cpuMs, limits },
    (entrypoint) => entrypoint.run(request),
    failed,
  );
  return vetted(outcome, limits, started);
}

/**
 * Calls the sandbox's entrypoint under the platform's limits (production), raced with the host
 * backstop at the deadline plus `graceMs`; a call that rejects becomes `failure`'s outcome.
 */
export async function withBackstop<T>(
  options: { sandbox: WorkerStub; timeoutMs: number; cpuMs: number; limits: ExecutionLimits },
  call: (entrypoint: SandboxEntrypoint) => Promise<T>,
  failure: (started: number, error: SandboxError) => T,
): Promise<{ outcome: T; started: number }> {
  const { sandbox, timeoutMs, cpuMs, limits } = options;
  const entrypoint = sandbox.getEntrypoint(undefined, {
    limits: { cpuMs, subRequests: limits.subRequests },
  }) as unknown as SandboxEntrypoint;
  const started = Date.now();

  let timer: ReturnType<typeof setTimeout> | undefined;
  const backstop = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      resolve(
        failure(started, {
          kind: "timeout",
          name: "TimeoutError",
          message: `Execution exceeded the ${timeoutMs} ms deadline and the sandbox did not stop within ${limits.graceMs} ms.`,
        }),
      );
    }, timeoutMs + limits.graceMs);
  });
  const answered = call(entrypoint).catch((error: unknown) => failure(started, sandboxFailure(error)));
  try {
    return { outcome: await Promise.race([answered, backstop]), started };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

const KINDS = new Set(["runtime", "timeout", "resource"]);

/**
 * The sandbox's answer, checked as untrusted input: the code ran in the same isolate as the
 * prelude and may have replaced the built-ins it encodes with. The result must be one JSON value
 * within the result limit (it is spliced into the response as text), the error must have a known
 * kind and bounded parts, and its properties must be a JSON object.
 */
function vetted(outcome: RunOutcome, limits: ExecutionLimits, started: number): RunOutcome {
  if (outcome.type === "result") {
    const text = outcome.result;
    if (text === undefined) return outcome;
    if (typeof text !== "string" || text.length > limits.resultBytes || !isOneJsonValue(text)) {
      return {
        ...outcome,
        type: "error",
        error: {
          kind: "runtime",
          name: "ResultEncodeError",
          message:
            "The result could not be encoded: the code replaced built-ins the encoder relies on (such as JSON.stringify).",
        },
      };
    }
    return outcome;
  }
  if (outcome.type !== "error" || typeof outcome.error !== "object" || outcome.error === null) {
    return failed(started, {
      kind: "runtime",
      name: "SandboxError",
      message: "The sandbox answered something that is not a run outcome.",
    });
  }
  return { ...outcome, error: vettedError(outcome.error) };
}

/** A sandbox's error with bounded parts, a known kind, and properties only when they are a JSON object. */
export function vettedError(sandboxError: SandboxError): SandboxError {
  const error = boundedError(sandboxError);
  if (!KINDS.has(error.kind)) error.kind = "runtime";
  if (error.props !== undefined && !isJsonObject(error.props)) delete error.props;
  return error;
}

function isOneJsonValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isJsonObject(text: unknown): boolean {
  if (typeof text !== "string") return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export function failed(started: number, error: SandboxError): RunOutcome {
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
