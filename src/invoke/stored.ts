/**
 * Stored functions as invocations: the caller's tenant's version of a function (another tenant's
 * is indistinguishable from one that does not exist), a run of it with the caller's run options,
 * and the record of each run's logs for `GET /functions/:name/logs`.
 */

import { describeType, ServiceError } from "../errors";
import { missing } from "../functions/names";
import { type RunRecord, recordRun } from "../functions/runs";
import { readVersion, type StoredCode } from "../functions/store";
import type { InvocationContext } from "./context";
import type { Execution } from "./report";
import { parseCodeRequest } from "./request";
import { runSnippet } from "./run";

/** The function's latest version, or `version`; 404 when the caller's tenant has no such thing. */
export async function storedVersion(context: InvocationContext, name: string, version?: string): Promise<StoredCode> {
  const stored = await readVersion(context.env.DB, context.caller.tenant, name, version);
  if (!stored) throw missing(name, version);
  return stored;
}

/**
 * Runs a stored function as POST /execute runs code: the code is the stored version's (validated
 * when it was stored), the run options (`args`, `timeoutMs`, `network`) are the caller's.
 */
export async function runStored(
  context: InvocationContext,
  name: string,
  version: string | undefined,
  options: unknown,
): Promise<Execution> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ServiceError("invalid_request", `The request body must be a JSON object, got ${describeType(options)}.`);
  }
  const stored = await storedVersion(context, name, version);
  const { args, timeoutMs, network } = options as Record<string, unknown>;
  const request = parseCodeRequest(
    { code: stored.code, language: stored.language, args, timeoutMs, network },
    context.limits,
  );
  const execution = await runSnippet(context, stored.modules ? { ...request, modules: stored.modules } : request);
  recordFunctionRun(context, name, {
    run: context.requestId,
    version: stored.version,
    via: "invoke",
    ...(execution.error && { error: execution.error }),
    logs: execution.logs,
  });
  return execution;
}

/** Records a run's logs after the answer is sent; a failure to record never fails the run. */
export function recordFunctionRun(
  context: InvocationContext,
  name: string,
  record: Omit<RunRecord, "dropped" | "at">,
): void {
  const { env, caller, service, requestId } = context;
  context.waitUntil(
    recordRun(env.DB, caller.tenant, name, record, service.functionLimits).catch((error: unknown) => {
      console.error("could not record the logs of a run", requestId, error);
    }),
  );
}
