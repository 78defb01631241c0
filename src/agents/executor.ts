/**
 * The `Executor` RPC entrypoint, for other Workers with a service binding to this one:
 *
 *   const result = await env.EXECUTOR.execute({ code, args, tools: new MyTools(), onLog });
 *
 * The binding's props choose the caller's tenant and tier (`"props": {"tenant": "acme", "tier":
 * "standard"}` in the calling Worker's wrangler config); without props the caller is the `local`
 * tenant. Results have the same shape as `POST /execute` answers.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { ServiceError } from "../errors";
import { RUNTIME_TYPES } from "../generated/prelude";
import { type Caller, LOCAL_CALLER, TENANT_PATTERN } from "../tenancy/keys";
import { tierNamed } from "../tenancy/tiers";
import { ConcurrencyGate } from "./gate";
import { executeForAgent } from "./session";

export interface ExecutorProps {
  tenant?: string;
  tier?: string;
}

export class Executor extends WorkerEntrypoint<Env, ExecutorProps | undefined> {
  /** Runs code as POST /execute does; `tools` and `onLog` may be RPC stubs of the caller's. */
  execute(options: unknown): Promise<Record<string, unknown>> {
    return executeForAgent(options, {
      env: this.env,
      exports: this.ctx.exports,
      caller: callerFromProps(this.ctx.props),
      gate: new ConcurrencyGate(),
      requestId: crypto.randomUUID(),
    });
  }

  /** The `$` type definitions (as GET /types serves them). */
  types(): string {
    return RUNTIME_TYPES;
  }
}

function callerFromProps(props: ExecutorProps | undefined): Caller {
  if (!props?.tenant && !props?.tier) return LOCAL_CALLER;
  const tenant = props.tenant ?? "default";
  const tier = tierNamed(props.tier ?? "standard");
  if (!TENANT_PATTERN.test(tenant) || !tier) {
    throw new ServiceError("unauthorized", "The service binding's props name an invalid tenant or tier.");
  }
  return { tenant, tier };
}
