/**
 * `$.kv`: the KV API people know, scoped to one tenant. Every key is stored as
 * `<tenant>/<key>`; the tenant comes from the caller's API key (tenant ids cannot contain "/"),
 * so no key a snippet chooses, `../` or any prefix trick included, can name another tenant's data.
 */

import { invalid, RuntimeError } from "./errors";

export type KvValueType = "text" | "json" | "arrayBuffer";
export type KvValue = string | ArrayBuffer | ArrayBufferView;

export interface KvListOptions {
  prefix?: string;
  limit?: number;
  cursor?: string;
}

export interface KvListResult {
  keys: { name: string; expiration?: number }[];
  list_complete: boolean;
  cursor?: string;
}

/** Workers KV limits: keys up to 512 bytes, at least 60 s of TTL, 1,000 keys per list. */
const MAX_KEY_BYTES = 512;
const MIN_TTL_SECONDS = 60;
const MAX_LIST = 1000;
/** Largest value a snippet may store (KV allows 25 MiB; a snippet's results are capped lower). */
export const MAX_KV_VALUE_BYTES = 4 * 1024 * 1024;

export class TenantKv {
  private readonly prefix: string;

  constructor(
    private readonly kv: KVNamespace,
    tenant: string,
  ) {
    this.prefix = `${tenant}/`;
  }

  async get(key: unknown, type: unknown = "text"): Promise<unknown> {
    const name = this.key(key);
    if (type !== "text" && type !== "json" && type !== "arrayBuffer") {
      throw invalid(`kv.get: type must be "text", "json" or "arrayBuffer", got ${JSON.stringify(type)}.`);
    }
    if (type === "json") {
      const text = await this.kv.get(name, "text");
      if (text === null) return null;
      try {
        return JSON.parse(text);
      } catch {
        throw invalid(`kv.get: the value of ${JSON.stringify(key)} is not JSON; read it with type "text".`);
      }
    }
    return type === "arrayBuffer" ? this.kv.get(name, "arrayBuffer") : this.kv.get(name, "text");
  }

  async put(key: unknown, value: unknown, options: unknown = {}): Promise<void> {
    const name = this.key(key);
    const body = kvValue(value);
    const size = typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
    if (size > MAX_KV_VALUE_BYTES) {
      throw new RuntimeError("E_TOO_LARGE", `kv.put: the value is ${size} bytes; the limit is ${MAX_KV_VALUE_BYTES}.`);
    }
    const ttl = (options as { expirationTtl?: unknown } | undefined)?.expirationTtl;
    if (ttl !== undefined && (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS)) {
      throw invalid(
        `kv.put: expirationTtl must be an integer of at least ${MIN_TTL_SECONDS} seconds, got ${JSON.stringify(ttl)}.`,
      );
    }
    await this.kv.put(name, body, ttl === undefined ? {} : { expirationTtl: ttl });
  }

  async delete(key: unknown): Promise<void> {
    await this.kv.delete(this.key(key));
  }

  async list(options: unknown = {}): Promise<KvListResult> {
    const { prefix = "", limit = MAX_LIST, cursor } = (options ?? {}) as KvListOptions;
    if (typeof prefix !== "string") throw invalid(`kv.list: prefix must be a string, got ${JSON.stringify(prefix)}.`);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
      throw invalid(`kv.list: limit must be an integer from 1 to ${MAX_LIST}, got ${JSON.stringify(limit)}.`);
    }
    if (cursor !== undefined && typeof cursor !== "string") throw invalid("kv.list: cursor must be a string.");
    const result = await this.kv.list({ prefix: this.prefix + prefix, limit, cursor });
    return {
      keys: result.keys.map((entry) => ({
        name: entry.name.slice(this.prefix.length),
        ...(entry.expiration !== undefined && { expiration: entry.expiration }),
      })),
      list_complete: result.list_complete,
      ...(!result.list_complete && { cursor: result.cursor }),
    };
  }

  private key(key: unknown): string {
    if (typeof key !== "string" || key.length === 0) {
      throw invalid(`kv: a key must be a non-empty string, got ${JSON.stringify(key) ?? String(key)}.`);
    }
    const name = this.prefix + key;
    if (new TextEncoder().encode(name).byteLength > MAX_KEY_BYTES) {
      throw invalid(`kv: the key is too long; keys may be up to ${MAX_KEY_BYTES - this.prefix.length} bytes here.`);
    }
    return name;
  }
}

function kvValue(value: unknown): string | ArrayBuffer | ArrayBufferView {
  if (typeof value === "string" || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value;
  throw invalid(
    `kv.put: the value must be a string, ArrayBuffer or typed array, got ${value === null ? "null" : typeof value}; use JSON.stringify for objects.`,
  );
}
