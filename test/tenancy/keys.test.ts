import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../shared/limits";
import { limitsForTier } from "../../src/invoke/limits";
import { parseApiKeys } from "../../src/tenancy/keys";
import { allowsService, TIERS, tierNamed } from "../../src/tenancy/tiers";

describe("parseApiKeys", () => {
  it("has no keys when the secret is unset or blank", () => {
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys("  ")).toEqual([]);
  });

  it("maps a comma-separated list to the default tenant on the standard tier", () => {
    expect(parseApiKeys("k1, k2,,")).toEqual([
      { key: "k1", tenant: "default", tier: TIERS.standard },
      { key: "k2", tenant: "default", tier: TIERS.standard },
    ]);
  });

  it("maps each key of the JSON form to its tenant and tier", () => {
    expect(parseApiKeys('{"a": {"tenant": "acme", "tier": "pro"}, "b": {"tenant": "beta-2", "tier": "free"}}')).toEqual(
      [
        { key: "a", tenant: "acme", tier: TIERS.pro },
        { key: "b", tenant: "beta-2", tier: TIERS.free },
      ],
    );
  });

  it.each([
    ['{"a": {"tenant": "Acme/x", "tier": "pro"}}', 'API_KEYS: tenant "Acme/x" must match /^[a-z0-9][a-z0-9_-]{0,62}$/'],
    ['{"a": {"tenant": "../b", "tier": "pro"}}', 'API_KEYS: tenant "../b" must match /^[a-z0-9][a-z0-9_-]{0,62}$/'],
    ['{"a": {"tenant": "acme", "tier": "gold"}}', 'API_KEYS: unknown tier "gold" (tiers: local, free, standard, pro)'],
  ])("refuses a malformed configuration instead of opening up: %s", (text, message) => {
    expect(() => parseApiKeys(text)).toThrow(message);
  });
});

describe("tiers", () => {
  it("looks tiers up by name only among its own", () => {
    expect(tierNamed("free")).toBe(TIERS.free);
    expect(tierNamed("toString")).toBeUndefined();
    expect(tierNamed("__proto__")).toBeUndefined();
  });

  it("allows services by the tier's list", () => {
    expect(allowsService(TIERS.standard, "example")).toBe(true);
    expect(allowsService(TIERS.free, "example")).toBe(false);
  });

  it("never lets a tier raise the service's own limits", () => {
    const generous = { ...TIERS.pro, codeBytes: 10 * 1024 * 1024, maxTimeoutMs: 60_000 };
    const limits = limitsForTier(DEFAULT_LIMITS, generous);
    expect([limits.codeBytes, limits.maxTimeoutMs]).toEqual([DEFAULT_LIMITS.codeBytes, DEFAULT_LIMITS.maxTimeoutMs]);
  });

  it("lowers the default deadline to the tier's maximum", () => {
    const limits = limitsForTier(DEFAULT_LIMITS, { ...TIERS.free, maxTimeoutMs: 2000 });
    expect([limits.defaultTimeoutMs, limits.maxTimeoutMs, limits.tier]).toEqual([2000, 2000, "free"]);
  });
});
