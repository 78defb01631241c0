/**
 * Requests per minute, one Durable Object per tenant: a token bucket holding up to a minute's
 * allowance, refilled continuously. The state lives in memory; an evicted object starts full again,
 * which errs on the side of serving.
 */

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export interface RateDecision {
  allowed: boolean;
  /** Seconds until one request will be allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

export class RateLimiter extends DurableObject<Env> {
  private tokens = Number.NaN;
  private updated = 0;

  take(perMinute: number): RateDecision {
    const now = Date.now();
    const perMs = perMinute / 60_000;
    this.tokens = Number.isNaN(this.tokens)
      ? perMinute
      : Math.min(perMinute, this.tokens + (now - this.updated) * perMs);
    this.updated = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / perMs / 1000)) };
  }
}
