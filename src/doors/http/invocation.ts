/** The invocation context of an HTTP request, built once per request from what the middleware found. */

import type { Context } from "hono";
import { type InvocationContext, invocationContext } from "../../invoke/context";
import type { AuthEnv } from "./auth";

/**
 * @param prepaid executions the request already paid for: a route behind `rateLimit()` counted
 *   itself once, which covers its first execution; further ones (a batch) each count
 */
export function invocationOf(c: Context<AuthEnv>, prepaid = 1): InvocationContext {
  return invocationContext({
    env: c.env,
    exports: c.executionCtx.exports,
    caller: c.get("caller"),
    requestId: c.get("requestId"),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    prepaid,
  });
}
