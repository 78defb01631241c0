/**
 * One execution, whatever interface asked for it: compile (or hit the cache), load the sandbox,
 * run, and describe the outcome in the submitted code's terms.
 */

import { type ExecutionLimits, sandboxLimits } from "../shared/limits";
import type { RunOutcome, RunRequest } from "../shared/protocol";
import type { RuntimeApi } from "../shared/runtime-api";
import type { LogBridge, ToolBridge } from "./agents/bridges";
import type { ConcurrencyGate } from "./agents/gate";
import type { CompiledUnit, Compiler } from "./compile";
import { normalizeLineEndings } from "./compile/fence";
import type { CompileInput } from "./compile/input";
import type { ExecuteRequest, NetworkPolicy } from "./http/validate";
import { type Execution, runError, syntaxError } from "./report";
import type { SandboxPool } from "./run/loader";
import { runSandbox } from "./run/run";
import type { RuntimeProps } from "./runtime/entrypoint";
import { SERVICE_NAMES } from "./runtime/manifest";
import type { Caller } from "./tenancy/keys";

export interface ExecuteContext {
  compiler: Compiler;
  sandboxes: SandboxPool;
  loader: WorkerLoader;
  /** Makes the outbound gateway the sandbox's `fetch` goes through when the policy allows hosts. */
  outbound: (allow: string[]) => Fetcher;
  /** Makes the per-run stub of the host's `Runtime` entrypoint that `$` calls go through. */
  runtime: (props: RuntimeProps) => RuntimeApi;
  /** Limits already narrowed to the caller's tier. */
  limits: ExecutionLimits;
  caller: Caller;
  requestId: string;
  /** The calling agent's tools, for `$.tools` (closed by `execute` when the run ends). */
  tools?: ToolBridge;
  /** Where logs go as they happen (closed by `execute` when the run ends). */
  logSink?: LogBridge;
  /** Queues the run when the request already has the most sandboxes in flight it may have. */
  gate?: ConcurrencyGate;
}

export async function execute(request: ExecuteRequest, context: ExecuteContext): Promise<Execution> {
  const started = performance.now();
  const source = normalizeLineEndings(request.code);
  const compiled = await context.compiler.compile(compileInput(request), request.network, {
    tenant: context.caller.tenant,
  });
  const timings = (runMs: number) => ({
    compileMs: round(compiled.compileMs),
    runMs: round(runMs),
    totalMs: round(performance.now() - started),
  });

  if (!compiled.ok) {
    return {
      ok: false,
      error: syntaxError(compiled.diagnostics, source, request.modules),
      logs: [],
      calls: [],
      id: compiled.id,
      cached: compiled.cached,
      timings: timings(0),
      ...(request.warnings && { warnings: request.warnings }),
    };
  }
  const { unit } = compiled;
  const { caller } = context;
  const runStarted = performance.now();
  const run = () =>
    runSandbox({
      sandbox: sandboxFor(context, compiled, request.network),
      request: {
        ...runRequest(context, {
          args: request.args,
          timeoutMs: request.timeoutMs,
          allow: request.network === "none" ? [] : request.network.allow,
        }),
        ...(context.tools && { tools: context.tools }),
        ...(context.logSink && { logSink: context.logSink }),
      },
      cpuMs: Math.min(request.timeoutMs, caller.tier.cpuMs),
      limits: context.limits,
    });
  let outcome: RunOutcome;
  try {
    outcome = await (context.gate ? context.gate.run(run) : run());
  } finally {
    context.tools?.close();
    context.logSink?.close();
  }
  const runMs = performance.now() - runStarted;
  const common = {
    logs: outcome.logs,
    calls: outcome.calls,
    id: unit.id,
    cached: compiled.cached,
    timings: timings(runMs),
  };
  const withWarnings = request.warnings ? { ...common, warnings: request.warnings } : common;
  return outcome.type === "result"
    ? { ok: true, resultJson: outcome.result, ...withWarnings }
    : { ok: false, error: runError(outcome.error, unit, source), ...withWarnings };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** What the compiler takes from a request: its code, language and (multi-file) modules. */
export function compileInput(request: Pick<ExecuteRequest, "code" | "language" | "modules">): CompileInput {
  return { code: request.code, language: request.language, ...(request.modules && { modules: request.modules }) };
}

/**
 * The sandbox a compiled unit runs in, for the caller's tenant: a cached isolate when the unit was
 * asked for before (a compile-cache hit), else a one-off one (run/loader.ts).
 */
export function sandboxFor(
  context: Pick<ExecuteContext, "sandboxes" | "loader" | "outbound" | "caller">,
  compiled: { unit: CompiledUnit; cached: boolean; packageModules?: Record<string, string> },
  network: NetworkPolicy,
): WorkerStub {
  return context.sandboxes.sandbox({
    loader: context.loader,
    unit: compiled.unit,
    tenant: context.caller.tenant,
    network,
    outbound: context.outbound,
    repeated: compiled.cached,
    ...(compiled.packageModules && { packageModules: compiled.packageModules }),
  });
}

/** What every run of the caller's code gets: its limits, tenant and the `$` runtime for this call. */
export function runRequest(
  context: Pick<ExecuteContext, "caller" | "requestId" | "limits" | "runtime">,
  run: { args: string; timeoutMs: number; allow: string[] },
): RunRequest {
  const { caller, requestId } = context;
  return {
    type: "run",
    args: run.args,
    timeoutMs: run.timeoutMs,
    limits: sandboxLimits(context.limits),
    requestId,
    tenant: caller.tenant,
    runtime: context.runtime({
      tenant: caller.tenant,
      tier: caller.tier.name,
      requestId,
      allow: run.allow,
      ...(caller.keyId && { keyId: caller.keyId }),
    }),
    // Every manifest service is on `$`; a tier that may not use one gets a clear denial on call.
    services: SERVICE_NAMES,
  };
}
