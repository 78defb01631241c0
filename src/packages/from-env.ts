/**
 * The package linker as the environment configures it: the registry (`NPM_REGISTRY`, npm's by
 * default), the policy (`NPM_POLICY`), the store (the `PACKAGES` R2 bucket) and any limits
 * `NPM_LIMITS` overrides (JSON such as `{"fetchTimeoutMs": 3000}`).
 */

import type { Env } from "../env";
import { PACKAGE_LIMITS, type PackageLimits } from "./limits";
import { PackageLinker } from "./linker";
import { parsePackagePolicy } from "./policy";
import { DEFAULT_REGISTRY, RegistryClient } from "./registry";
import { R2PackageStore } from "./store";

/** Bundle sources a host isolate keeps in memory (the store keeps them all). */
const CACHE_BYTES = 16 * 1024 * 1024;

export function packageLinker(env: Env): PackageLinker {
  const limits = packageLimits(env.NPM_LIMITS);
  return new PackageLinker({
    registry: new RegistryClient(env.NPM_REGISTRY || DEFAULT_REGISTRY, limits),
    ...(env.PACKAGES && { store: new R2PackageStore(env.PACKAGES) }),
    policy: parsePackagePolicy(env.NPM_POLICY, Boolean(env.API_KEYS?.trim())),
    limits,
    cacheBytes: CACHE_BYTES,
  });
}

function packageLimits(text: string | undefined): PackageLimits {
  const limits: PackageLimits = { ...PACKAGE_LIMITS };
  if (!text) return limits;
  let overrides: unknown;
  try {
    overrides = JSON.parse(text);
  } catch {
    console.error("NPM_LIMITS is not JSON; using the defaults");
    return limits;
  }
  for (const key of Object.keys(limits) as (keyof PackageLimits)[]) {
    const value = (overrides as Record<string, unknown> | null)?.[key];
    if (typeof value === "number" && Number.isInteger(value) && value > 0) limits[key] = value;
  }
  return limits;
}
