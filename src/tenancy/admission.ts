/**
 * Admission: requests per minute per tenant, from the caller's tier (one `RateLimiter` Durable
 * Object per tenant). Every execution takes one, whichever door it came through.
 */

import type { Env } from "../env";
import { ServiceError } from "../errors";
import type { Caller } from "./keys";

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
