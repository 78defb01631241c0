/**
 * The `$` object every snippet sees. It holds no secrets and no host bindings: members that
 * reach outside the isolate do so through capabilities passed with each run.
 */

import type { RunRequest } from "../shared/protocol";
import type { RunState } from "./run-state";

/** Read-only facts about the current run. */
export interface RunContext {
  /** Identifies the HTTP request (or RPC call) that started this run. */
  readonly requestId: string;
  /** Epoch milliseconds after which the run is stopped. */
  readonly deadline: number;
  /** The deadline the run was given, in milliseconds. */
  readonly timeoutMs: number;
}

export interface Runtime {
  readonly ctx: RunContext;
}

export function createRuntime(run: RunState, request: RunRequest): Runtime {
  const ctx: RunContext = Object.freeze({
    requestId: request.requestId,
    deadline: run.deadline,
    timeoutMs: run.timeoutMs,
  });
  return Object.freeze({ ctx });
}
