/** The HTTP door's API-key check: the caller of each request, from its `Authorization` header. */

import type { MiddlewareHandler } from "hono";
import type { Env } from "../../env";
import { takeRequest } from "../../tenancy/admission";
import { identify } from "../../tenancy/authenticate";
import type { Caller } from "../../tenancy/keys";

export type AuthEnv = { Bindings: Env; Variables: { requestId: string; caller: Caller } };

/** The key in an `Authorization: Bearer <key>` header, if there is one. */
export function bearerKey(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
}

export function authenticate(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    c.set("caller", await identify(c.env, bearerKey(c.req.header("authorization"))));
    return next();
  };
}

/**
 * Counts the request against the caller's tier (429 with `Retry-After` past it). A route that runs
 * code counts this as its first execution (`prepaid` in the invocation context).
 */
export function rateLimit(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    await takeRequest(c.env, c.get("caller"));
    return next();
  };
}
