/**
 * One execution, whatever interface asked for it: compile (or hit the cache), load the sandbox,
 * run, and describe the outcome in the submitted code's terms.
 */

import type { ExecutionLimits } from "../shared/limits";
import type { Compiler } from "./compile";
import { normalizeLineEndings } from "./compile/fence";
import type { ExecuteRequest } from "./http/validate";
import { type Execution, runError, syntaxError } from "./report";
import { loadSandbox } from "./run/loader";
import { runSandbox } from "./run/run";

export interface ExecuteContext {
  compiler: Compiler;
  loader: WorkerLoader;
  /** Makes the outbound gateway the sandbox's `fetch` goes through when the policy allows hosts. */
  outbound: (allow: string[]) => Fetcher;
  limits: ExecutionLimits;
  requestId: string;
}

export async function execute(request: ExecuteRequest, context: ExecuteContext): Promise<Execution> {
  const started = performance.now();
  const source = normalizeLineEndings(request.code);
  const compiled = await context.compiler.compile({ code: request.code, language: request.language }, request.network);
  const timings = (runMs: number) => ({
    compileMs: round(compiled.compileMs),
    runMs: round(runMs),
    totalMs: round(performance.now() - started),
  });

  if (!compiled.ok) {
    return {
      ok: false,
      error: syntaxError(compiled.diagnostics, source),
      logs: [],
      id: compiled.id,
      cached: compiled.cached,
      timings: timings(0),
    };
  }
  const { unit } = compiled;
  const runStarted = performance.now();
  const outcome = await runSandbox({
    sandbox: loadSandbox({ loader: context.loader, unit, network: request.network, outbound: context.outbound }),
    args: request.args,
    timeoutMs: request.timeoutMs,
    limits: context.limits,
    requestId: context.requestId,
  });
  const runMs = performance.now() - runStarted;
  const common = { logs: outcome.logs, id: unit.id, cached: compiled.cached, timings: timings(runMs) };
  return outcome.type === "result"
    ? { ok: true, resultJson: outcome.result, ...common }
    : { ok: false, error: runError(outcome.error, unit, source), ...common };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
