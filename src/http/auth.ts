/**
 * API keys. With none configured (the local default) every request is let through; with keys
 * configured, `Authorization: Bearer <key>` must name one of them. Keys are compared as SHA-256
 * digests with a constant-time comparison and never logged or echoed.
 */

import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { ServiceError } from "../errors";

export function requireApiKey(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const keys = parseKeys(c.env.API_KEYS);
    if (keys.length > 0) {
      const header = c.req.header("authorization") ?? "";
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) {
        throw new ServiceError("unauthorized", "An API key is required: send `Authorization: Bearer <key>`.");
      }
      if (!(await isKnownKey(match[1], keys))) throw new ServiceError("unauthorized", "The API key is not valid.");
    }
    await next();
  };
}

function parseKeys(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}

async function isKnownKey(candidate: string, keys: string[]): Promise<boolean> {
  const digest = await sha256(candidate);
  let found = false;
  // Every key is compared, so timing does not reveal which one (or whether one) matched.
  for (const key of keys) {
    if (crypto.subtle.timingSafeEqual(digest, await sha256(key))) found = true;
  }
  return found;
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}
