/**
 * The context of every invocation, built once per request or session by the door that received it:
 * who is calling (caller, tier, the limits its tier allows), how executions are admitted (the
 * tenant's rate limit), how many sandboxes may be in flight at once (the gate), and what the
 * sandbox is given (the loader, the outbound gateway, the `$` host). Doors make one and hand it to
 * the core; nothing else builds one.
 */

import type { RuntimeApi } from "../../shared/runtime-api";
import type { Env } from "../env";
import type { RuntimeProps } from "../runtime/entrypoint";
import { getService, type Service } from "../service";
import { takeRequest } from "../tenancy/admission";
import type { Caller } from "../tenancy/keys";
import { ConcurrencyGate } from "./gate";
import { limitsForTier, type RequestLimits } from "./limits";

export interface InvocationContext {
  readonly env: Env;
  readonly service: Service;
  readonly caller: Caller;
  /** Echoed into `$.ctx` and the `x-request-id` of HTTP answers. */
  readonly requestId: string;
  /** The service's limits narrowed to the caller's tier. */
  readonly limits: RequestLimits;
  /** Queues executions once the request or session has the most sandboxes in flight it may have. */
  readonly gate: ConcurrencyGate;
  /** Counts one execution against the caller's tier (throws `rate_limited` past it). */
  admit(): Promise<void>;
  /** Makes the outbound gateway the sandbox's `fetch` goes through when the policy allows hosts. */
  outbound(allow: string[]): Fetcher;
  /** Makes the per-call stub of the host's `RuntimeHost` entrypoint that `$` calls go through. */
  runtime(props: RuntimeProps): RuntimeApi;
  /** Keeps work (recording a stored function's logs) going after the answer is sent. */
  waitUntil(promise: Promise<unknown>): void;
}

export interface ContextOptions {
  env: Env;
  /** `ctx.exports` of the host Worker: the loopback entrypoints sandboxes are given. */
  exports: Cloudflare.Exports;
  caller: Caller;
  requestId: string;
  waitUntil(promise: Promise<unknown>): void;
  /** Executions the door already counted (an HTTP request counts once before its body is read). */
  prepaid?: number;
  /** A session's gate, shared by all its executions; a new one otherwise. */
  gate?: ConcurrencyGate;
}

export function invocationContext(options: ContextOptions): InvocationContext {
  const { env, exports, caller } = options;
  const service = getService(env);
  let prepaid = options.prepaid ?? 0;
  return {
    env,
    service,
    caller,
    requestId: options.requestId,
    limits: limitsForTier(service.limits, caller.tier),
    gate: options.gate ?? new ConcurrencyGate(),
    admit: async () => {
      if (prepaid > 0) {
        prepaid--;
        return;
      }
      await takeRequest(env, caller);
    },
    outbound: (allow) => exports.Outbound({ props: { allow } }),
    runtime: (props) => exports.RuntimeHost({ props }),
    waitUntil: options.waitUntil,
  };
}
