/**
 * One call into a prepared unit's sandbox, the same for every kind of invocation: the per-call
 * request (args, deadline, limits, the caller's `$`), the CPU limit of the caller's tier, the
 * request's gate on sandboxes in flight, and the host's backstop. What the call does in the
 * sandbox (`run`, `serve`, `open`, a handle's `call`) is the caller's; the answer is not vetted yet.
 */

import { sandboxLimits } from "../../shared/limits";
import type { InvocationRequest, SandboxEntrypoint } from "../../shared/protocol";
import type { LogSinkApi, ToolsApi } from "../../shared/runtime-api";
import { SERVICE_NAMES } from "../runtime/manifest";
import { callSandbox, type SandboxAnswer } from "../sandbox/call";
import type { InvocationContext } from "./context";
import type { Prepared } from "./prepare";

export interface CallOptions {
  /** JSON text of `args`. */
  args: string;
  timeoutMs: number;
  /** The caller's tools for `$.tools` (an agent's). */
  tools?: ToolsApi;
  /** Where log entries go as they happen. */
  logSink?: LogSinkApi;
}

export function callUnit<T>(
  context: InvocationContext,
  prepared: Pick<Prepared, "sandbox" | "network">,
  options: CallOptions,
  call: (entrypoint: SandboxEntrypoint, request: InvocationRequest) => Promise<T>,
): Promise<SandboxAnswer<T>> {
  const { caller, limits } = context;
  const request = invocationRequest(context, prepared.network === "none" ? [] : prepared.network.allow, options);
  const cpuMs = Math.min(options.timeoutMs, caller.tier.cpuMs);
  return context.gate.run(() =>
    callSandbox({ sandbox: prepared.sandbox, timeoutMs: options.timeoutMs, cpuMs, limits }, (entrypoint) =>
      call(entrypoint, request),
    ),
  );
}

/** What every call into the caller's code gets: its limits, tenant and the `$` runtime for this call. */
function invocationRequest(context: InvocationContext, allow: string[], options: CallOptions): InvocationRequest {
  const { caller, requestId } = context;
  return {
    type: "run",
    args: options.args,
    timeoutMs: options.timeoutMs,
    limits: sandboxLimits(context.limits),
    requestId,
    tenant: caller.tenant,
    runtime: context.runtime({
      tenant: caller.tenant,
      tier: caller.tier.name,
      requestId,
      allow,
      ...(caller.keyId && { keyId: caller.keyId }),
    }),
    // Every manifest service is on `$`; a tier that may not use one gets a clear denial on call.
    services: SERVICE_NAMES,
    ...(options.tools && { tools: options.tools }),
    ...(options.logSink && { logSink: options.logSink }),
  };
}
