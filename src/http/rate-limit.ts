/** Requests per minute per tenant, from the caller's tier; 429 with `Retry-After` past it. */

import type { MiddlewareHandler } from "hono";
import { ServiceError } from "../errors";
import type { AuthEnv } from "./auth";

export function rateLimit(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const { tenant, tier } = c.get("caller");
    if (tier.requestsPerMinute !== null) {
      const bucket = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(tenant));
      const decision = await bucket.take(tier.requestsPerMinute);
      if (!decision.allowed) {
        throw new ServiceError(
          "rate_limited",
          `Too many requests: the "${tier.name}" tier allows ${tier.requestsPerMinute} per minute; retry in ${decision.retryAfterSeconds} s.`,
          { retryAfterSeconds: decision.retryAfterSeconds },
        );
      }
    }
    return next();
  };
}
