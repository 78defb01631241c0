/**
 * Tiers: what each kind of caller may do and how much. A key's tier caps the deadline it may ask
 * for, the CPU time a run gets in production, the size of its code, its requests per minute, and
 * which members of `$` it may use. Defined here, in one place.
 */

import type { ServiceName } from "../runtime/manifest";

export interface Tier {
  name: string;
  /** Largest `timeoutMs` a request may ask for (and the default when that is lower than 5 s). */
  maxTimeoutMs: number;
  /** CPU time per run, enforced by the platform in production (`limits.cpuMs`). */
  cpuMs: number;
  /** Largest `code`, in UTF-8 bytes. */
  codeBytes: number;
  /** Requests per minute per tenant; `null` for no limit. */
  requestsPerMinute: number | null;
  /** Which members of `$` reach outside the sandbox. */
  capabilities: {
    kv: boolean;
    db: boolean;
    fetch: boolean;
    services: "all" | readonly ServiceName[];
  };
}

const KiB = 1024;

export const TIERS = {
  /** The local default when no API keys are configured: everything, no rate limit. */
  local: {
    name: "local",
    maxTimeoutMs: 30_000,
    cpuMs: 30_000,
    codeBytes: 256 * KiB,
    requestsPerMinute: null,
    capabilities: { kv: true, db: true, fetch: true, services: "all" },
  },
  free: {
    name: "free",
    maxTimeoutMs: 5_000,
    cpuMs: 1_000,
    codeBytes: 64 * KiB,
    requestsPerMinute: 60,
    capabilities: { kv: true, db: true, fetch: false, services: [] },
  },
  standard: {
    name: "standard",
    maxTimeoutMs: 15_000,
    cpuMs: 10_000,
    codeBytes: 256 * KiB,
    requestsPerMinute: 600,
    capabilities: { kv: true, db: true, fetch: true, services: "all" },
  },
  pro: {
    name: "pro",
    maxTimeoutMs: 30_000,
    cpuMs: 30_000,
    codeBytes: 256 * KiB,
    requestsPerMinute: 6_000,
    capabilities: { kv: true, db: true, fetch: true, services: "all" },
  },
} as const satisfies Record<string, Tier>;

export type TierName = keyof typeof TIERS;

export function tierNamed(name: string): Tier | undefined {
  return Object.hasOwn(TIERS, name) ? TIERS[name as TierName] : undefined;
}

export function allowsService(tier: Tier, name: string): boolean {
  const services = tier.capabilities.services;
  return services === "all" || (services as readonly string[]).includes(name);
}
