/**
 * The Workers RPC door: the `Executor` entrypoint, for other Workers with a service binding to this one:
 *
 *   const result = await env.EXECUTOR.execute({ code, args, tools: new MyTools(), onLog });
 *
 * The binding's props choose the caller's tenant and tier (`"props": {"tenant": "acme", "tier":
 * "standard"}` in the calling Worker's wrangler config; see tenancy/authenticate.ts for a binding
 * without props). Results have the same shape as `POST /execute` answers.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { RUNTIME_TYPES } from "../generated/prelude";
import { type InvocationContext, invocationContext } from "../invoke/context";
import { executionObject } from "../invoke/report";
import { parseAgentRun, runSnippet } from "../invoke/run";
import { type BindingProps, bindingCaller } from "../tenancy/authenticate";
import { openRemote } from "./rpc-objects";

export class Executor extends WorkerEntrypoint<Env, BindingProps | undefined> {
  /** Runs code as POST /execute does; `tools` and `onLog` may be RPC stubs of the caller's. */
  async execute(options: unknown): Promise<Record<string, unknown>> {
    const context = contextOf(this.env, this.ctx);
    const { request, bridges } = parseAgentRun(options, context);
    return executionObject(await runSnippet(context, request, bridges));
  }

  /**
   * Opens an export of the code for RPC: `const counter = await env.EXECUTOR.open({ code, export:
   * "Counter" })`, then `await counter.increment()`. Each call runs in the sandbox under the deadline.
   */
  open(options: unknown): Promise<unknown> {
    return openRemote(options, contextOf(this.env, this.ctx));
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
function contextOf(env: Env, ctx: ExecutionContext<BindingProps | undefined>): InvocationContext {
  return invocationContext({
    env,
    exports: ctx.exports,
    caller: bindingCaller(ctx.props),
    requestId: crypto.randomUUID(),
    waitUntil: (promise) => ctx.waitUntil(promise),
  });
}
