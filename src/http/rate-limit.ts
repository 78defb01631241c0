/** Requests per minute per tenant, from the caller's tier; 429 with `Retry-After` past it. */

import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { ServiceError } from "../errors";
import type { Caller } from "../tenancy/keys";
import type { AuthEnv } from "./auth";

/** Takes one request from the caller's tenant budget, or throws `rate_limited`. */
export async function takeRequest(env: Env, { tenant, tier }: Caller): Promise<void> {
  if (tier.requestsPerMinute === null) return;
  const bucket = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(tenant));
  const decision = await bucket.take(tier.requestsPerMinute);
  if (!decision.allowed) {
    throw new ServiceError(
      "rate_limited",
      `Too many requests: the "${tier.name}" tier allows ${tier.requestsPerMinute} per minute; retry in ${decision.retryAfterSeconds} s.`,
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  }
}

export function rateLimit(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    await takeRequest(c.env, c.get("caller"));
    return next();
  };
}
