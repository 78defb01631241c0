/**
 * One HTTP request to a stored module's fetch handler (`/fn/:name/*`): compile (or hit the cache),
 * load the sandbox with no network, pass the request to the handler, and describe a failure in the
 * stored code's terms, as `execute` does for a run.
 */

import type { LogEntry } from "../shared/protocol";
import { normalizeLineEndings } from "./compile/fence";
import type { Language, SubmittedModules } from "./compile/input";
import { compileInput, type ExecuteContext, runRequest, sandboxFor } from "./execute";
import { type ExecutionError, runError, syntaxError } from "./report";
import { serveSandbox } from "./run/serve";

export interface FetchTarget {
  code: string;
  language: Language;
  timeoutMs: number;
  /** A multi-file function: `code` is its main module's text. */
  modules?: SubmittedModules;
}

export type FetchInvocation =
  | { type: "response"; response: Response; logs: LogEntry[] }
  /** The default export has no `fetch` method; `got` says what it is. */
  | { type: "no-handler"; got: string }
  | { type: "error"; error: ExecutionError; logs: LogEntry[] };

export async function invokeFetch(
  target: FetchTarget,
  http: Request,
  context: ExecuteContext,
): Promise<FetchInvocation> {
  const source = normalizeLineEndings(target.code);
  // No network for handlers in this version: the policy is fixed, not the caller's.
  const compiled = await context.compiler.compile(compileInput(target), "none", { tenant: context.caller.tenant });
  if (!compiled.ok) {
    return { type: "error", error: syntaxError(compiled.diagnostics, source, target.modules), logs: [] };
  }
  const { unit } = compiled;
  const { caller } = context;
  const serve = () =>
    serveSandbox({
      sandbox: sandboxFor(context, compiled, "none"),
      http,
      request: runRequest(context, { args: "null", timeoutMs: target.timeoutMs, allow: [] }),
      cpuMs: Math.min(target.timeoutMs, caller.tier.cpuMs),
      limits: context.limits,
    });
  const outcome = await (context.gate ? context.gate.run(serve) : serve());
  if (outcome.type === "response") return { type: "response", response: outcome.response, logs: outcome.logs };
  if (outcome.type === "no-handler") return { type: "no-handler", got: outcome.got };
  return { type: "error", error: runError(outcome.error, unit, source), logs: outcome.logs };
}
