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
import { openRemote } from "./remote";
import { type AgentContext, executeForAgent } from "./session";

export interface ExecutorProps {
  tenant?: string;
  tier?: string;
}

export class Executor extends WorkerEntrypoint<Env, ExecutorProps | undefined> {
  /** Runs code as POST /execute does; `tools` and `onLog` may be RPC stubs of the caller's. */
  execute(options: unknown): Promise<Record<string, unknown>> {
    return executeForAgent(options, agentContext(this.env, this.ctx));
  }

  /**
   * Opens an export of the code for RPC: `const counter = await env.EXECUTOR.open({ code, export:
   * "Counter" })`, then `await counter.increment()`. Each call runs in the sandbox under the deadline.
   */
  open(options: unknown): Promise<unknown> {
    return openRemote(options, agentContext(this.env, this.ctx));
  }

  /** The `$` type definitions (as GET /types serves them). */
  types(): string {
    return RUNTIME_TYPES;
  }
}

/**
 * A function, not a method: every method of an entrypoint is callable over RPC, and this one's
 * answer holds the bindings.
 */
function agentContext(env: Env, ctx: ExecutionContext<ExecutorProps | undefined>): AgentContext {
  return {
    env,
    exports: ctx.exports,
    caller: callerFromProps(ctx.props),
    gate: new ConcurrencyGate(),
    requestId: crypto.randomUUID(),
  };
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
