/**
 * Who is calling, for every door. With no API keys configured (the local default) every caller is
 * the `local` tenant; with keys configured, a key must name one of them, which gives the caller's
 * tenant and tier. Keys are compared as SHA-256 digests in constant time, and never logged or
 * echoed: the caller carries only a short digest (`keyId`). Workers with a service binding are
 * not asked for a key: the binding's props name their tenant and tier.
 */

import { toHex } from "../compile/hash";
import type { Env } from "../env";
import { ServiceError } from "../errors";
import { type Caller, type KeyEntry, LOCAL_CALLER, parseApiKeys, TENANT_PATTERN } from "./keys";
import { tierNamed } from "./tiers";

interface Keyring {
  source: string | undefined;
  entries: { entry: KeyEntry; digest: ArrayBuffer }[];
}

let keyring: Keyring | undefined;

/** The configured keys with their digests, computed once per isolate (and again if the secret changes). */
async function keysFor(source: string | undefined): Promise<Keyring["entries"]> {
  if (keyring && keyring.source === source) return keyring.entries;
  const entries = await Promise.all(
    parseApiKeys(source).map(async (entry) => ({ entry, digest: await sha256(entry.key) })),
  );
  keyring = { source, entries };
  return entries;
}

export const MISSING_KEY = "An API key is required: send `Authorization: Bearer <key>`.";
export const INVALID_KEY = "The API key is not valid.";

/**
 * The caller a key stands for: the local caller when no keys are configured, otherwise the key's
 * tenant and tier. Throws 401 for a missing or unknown key.
 */
export async function identify(env: Env, key: string | undefined): Promise<Caller> {
  const keys = await keysFor(env.API_KEYS);
  if (keys.length === 0) return LOCAL_CALLER;
  if (!key) throw new ServiceError("unauthorized", MISSING_KEY);
  const digest = await sha256(key);
  let found: KeyEntry | undefined;
  // Every key is compared, so timing does not reveal which one (or whether one) matched.
  for (const { entry, digest: known } of keys) {
    if (crypto.subtle.timingSafeEqual(digest, known)) found = entry;
  }
  if (!found) throw new ServiceError("unauthorized", INVALID_KEY);
  return { tenant: found.tenant, tier: found.tier, keyId: toHex(digest).slice(0, 12) };
}

/** The props a calling Worker's service binding passes (`"props": {"tenant": …, "tier": …}`). */
export interface BindingProps {
  tenant?: string;
  tier?: string;
}

/** The caller of a service binding: its props' tenant and tier; without props, the local caller. */
export function bindingCaller(props: BindingProps | undefined): Caller {
  if (!props?.tenant && !props?.tier) return LOCAL_CALLER;
  const tenant = props.tenant ?? "default";
  const tier = tierNamed(props.tier ?? "standard");
  if (!TENANT_PATTERN.test(tenant) || !tier) {
    throw new ServiceError("unauthorized", "The service binding's props name an invalid tenant or tier.");
  }
  return { tenant, tier };
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}
