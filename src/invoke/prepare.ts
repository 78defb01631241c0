/**
 * Prepares code for any kind of invocation: compile it (or hit the cache) and pick the sandbox it
 * runs in for the caller's tenant. Code that does not compile is reported here, located in the
 * submitted text, so no caller handles diagnostics itself.
 */

import type { CompiledUnit, CompileOutcome } from "../compile";
import type { SubmittedModules } from "../compile/input";
import type { InvocationContext } from "./context";
import { type ExecutionError, syntaxError } from "./report";
import type { CodeRequest, NetworkPolicy } from "./request";

/** What is compiled: the code fields of a request (or of a stored function's version). */
export type CodeSource = Pick<CodeRequest, "code" | "language" | "modules" | "network">;

export interface Prepared {
  ok: true;
  unit: CompiledUnit;
  /** The submitted text, normalised, for locating errors in it. */
  source: string;
  cached: boolean;
  compileMs: number;
  network: NetworkPolicy;
  /** The sandbox the unit runs in for this caller. */
  sandbox: WorkerStub;
}

export interface Unprepared {
  ok: false;
  id: string;
  cached: boolean;
  compileMs: number;
  /** The syntax error, located in the submitted text. */
  error: ExecutionError;
}

export interface PrepareOptions {
  /** Keep the compiled unit in the second-level store right away (it is stored to be run again). */
  persist?: boolean;
}

/** Compiles code for the caller (the one place the core asks the compiler), without running it. */
export function compileCode(
  context: InvocationContext,
  code: CodeSource,
  options: PrepareOptions = {},
): Promise<CompileOutcome> {
  return context.service.compiler.compile(compileInput(code), code.network, options);
}

export async function prepare(
  context: InvocationContext,
  code: CodeSource,
  options: PrepareOptions = {},
): Promise<Prepared | Unprepared> {
  const compiled = await compileCode(context, code, options);
  if (!compiled.ok) {
    const { id, cached, compileMs } = compiled;
    return {
      ok: false,
      id,
      cached,
      compileMs,
      error: syntaxError(compiled.diagnostics, compiled.source, code.modules),
    };
  }
  const { unit, cached, compileMs, source } = compiled;
  // A cached isolate when the unit was asked for before (a compile-cache hit), else a one-off one.
  const sandbox = context.service.sandboxes.sandbox({
    loader: context.env.LOADER,
    unit,
    tenant: context.caller.tenant,
    network: code.network,
    outbound: (allow) => context.outbound(allow),
    repeated: cached,
  });
  return { ok: true, unit, source, cached, compileMs, network: code.network, sandbox };
}

function compileInput(code: CodeSource): {
  code: string;
  language: CodeRequest["language"];
  modules?: SubmittedModules;
} {
  return { code: code.code, language: code.language, ...(code.modules && { modules: code.modules }) };
}
