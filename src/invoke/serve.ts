/**
 * Serves one HTTP request with a stored module's fetch handler (the `/fn/:name/*` door): prepare
 * the code with no network, pass the request to the handler in the sandbox, and describe a failure
 * in the stored code's terms, as a run does.
 */

import type { LogEntry } from "../../shared/protocol";
import type { Language, SubmittedModules } from "../compile/input";
import { vetServe } from "../sandbox/vet";
import { callUnit } from "./call";
import type { InvocationContext } from "./context";
import { prepare } from "./prepare";
import { type ExecutionError, runError } from "./report";

export interface ServeTarget {
  code: string;
  language: Language;
  timeoutMs: number;
  /** A multi-file function: `code` is its main module's text. */
  modules?: SubmittedModules;
}

export type Served =
  | { type: "response"; response: Response; logs: LogEntry[] }
  /** The default export has no `fetch` method; `got` says what it is. */
  | { type: "no-handler"; got: string }
  | { type: "error"; error: ExecutionError; logs: LogEntry[] };

export async function serveRequest(context: InvocationContext, target: ServeTarget, http: Request): Promise<Served> {
  await context.admit();
  // No network for handlers in this version: the policy is fixed, not the caller's.
  const prepared = await prepare(context, { ...target, network: "none" });
  if (!prepared.ok) return { type: "error", error: prepared.error, logs: [] };
  const answer = await callUnit(context, prepared, { args: "null", timeoutMs: target.timeoutMs }, (entrypoint, call) =>
    entrypoint.serve(http, call),
  );
  const outcome = vetServe(answer.outcome, answer.started);
  if (outcome.type === "response") return { type: "response", response: outcome.response, logs: outcome.logs };
  if (outcome.type === "no-handler") return { type: "no-handler", got: outcome.got };
  return { type: "error", error: runError(outcome.error, prepared.unit, prepared.source), logs: outcome.logs };
}
