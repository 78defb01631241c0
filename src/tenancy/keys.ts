/**
 * API keys, configured as the `API_KEYS` secret (never in the repository), and the caller each
 * one stands for. Two forms:
 *   JSON:  {"sk_live_1": {"tenant": "acme", "tier": "standard"}, "sk_live_2": {"tenant": "beta", "tier": "free"}}
 *   list:  "key1,key2"  (every key is tenant "default", tier "standard")
 * With no keys configured, every request is the `local` tenant on the `local` tier.
 */

import { TIERS, type Tier, tierNamed } from "./tiers";

export interface Caller {
  tenant: string;
  tier: Tier;
  /** A short digest identifying the key in logs and props; the key itself never leaves this module. */
  keyId?: string;
}

export interface KeyEntry {
  key: string;
  tenant: string;
  tier: Tier;
}

export const LOCAL_CALLER: Caller = { tenant: "local", tier: TIERS.local };

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Parses `API_KEYS`; a malformed configuration is an error the operator must see, not an open door. */
export function parseApiKeys(text: string | undefined): KeyEntry[] {
  const trimmed = (text ?? "").trim();
  if (trimmed === "") return [];
  if (!trimmed.startsWith("{")) {
    return trimmed
      .split(",")
      .map((key) => key.trim())
      .filter((key) => key.length > 0)
      .map((key) => ({ key, tenant: "default", tier: TIERS.standard }));
  }
  const parsed = JSON.parse(trimmed) as Record<string, { tenant?: unknown; tier?: unknown }>;
  return Object.entries(parsed).map(([key, entry]) => {
    const tenant = String(entry?.tenant ?? "");
    if (!TENANT_PATTERN.test(tenant)) {
      throw new Error(`API_KEYS: tenant ${JSON.stringify(tenant)} must match ${TENANT_PATTERN}`);
    }
    const tier = tierNamed(String(entry?.tier ?? ""));
    if (!tier)
      throw new Error(
        `API_KEYS: unknown tier ${JSON.stringify(entry?.tier)} (tiers: ${Object.keys(TIERS).join(", ")})`,
      );
    return { key, tenant, tier };
  });
}
