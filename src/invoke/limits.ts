/** The limits of a request: the service's own, narrowed to the caller's tier. */

import type { ExecutionLimits } from "../../shared/limits";
import type { Tier } from "../tenancy/tiers";

/** Limits, and the tier that narrowed them (named in messages about them). */
export type RequestLimits = ExecutionLimits & { tier?: string };

/** The limits a caller's tier allows: never more than the service's own. */
export function limitsForTier(limits: ExecutionLimits, tier: Tier): RequestLimits {
  return {
    ...limits,
    tier: tier.name,
    codeBytes: Math.min(limits.codeBytes, tier.codeBytes),
    maxTimeoutMs: Math.min(limits.maxTimeoutMs, tier.maxTimeoutMs),
    defaultTimeoutMs: Math.min(limits.defaultTimeoutMs, tier.maxTimeoutMs),
  };
}

/** ` on the "free" tier`, for messages about a limit the tier narrowed. */
export function onTier(limits: RequestLimits): string {
  return limits.tier ? ` on the "${limits.tier}" tier` : "";
}
