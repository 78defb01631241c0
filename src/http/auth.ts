/**
 * Who is calling. With no API keys configured (the local default) every request is the `local`
 * tenant; with keys configured, `Authorization: Bearer <key>` must name one of them, which gives the
 * caller's tenant and tier. Keys are compared as SHA-256 digests in constant time, and never logged
 * or echoed: the caller carries only a short digest (`keyId`).
 */

import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { ServiceError } from "../errors";
import { type Caller, type KeyEntry, LOCAL_CALLER, parseApiKeys } from "../tenancy/keys";

export type AuthEnv = { Bindings: Env; Variables: { requestId: string; caller: Caller } };

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

export function authenticate(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const keys = await keysFor(c.env.API_KEYS);
    if (keys.length === 0) {
      c.set("caller", LOCAL_CALLER);
      return next();
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    if (!match?.[1])
      throw new ServiceError("unauthorized", "An API key is required: send `Authorization: Bearer <key>`.");
    const digest = await sha256(match[1]);
    let found: KeyEntry | undefined;
    // Every key is compared, so timing does not reveal which one (or whether one) matched.
    for (const { entry, digest: known } of keys) {
      if (crypto.subtle.timingSafeEqual(digest, known)) found = entry;
    }
    if (!found) throw new ServiceError("unauthorized", "The API key is not valid.");
    c.set("caller", { tenant: found.tenant, tier: found.tier, keyId: hex(digest).slice(0, 12) });
    return next();
  };
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

function hex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
