/**
 * The `$` object as snippets see it: the single source of the type definitions served at
 * GET /types (the build emits declarations from this file) and the type the prelude implements.
 * Declarations only: no code here.
 */

import type { RuntimeServices } from "./generated/services";

/** The runtime, in scope in every snippet as `$` (and importable: `import { $ } from "functions.do"`). */
export interface Runtime extends RuntimeServices {
  /** Read-only facts about the current run. */
  readonly ctx: RunContext;
  /** Key-value storage scoped to your tenant, with the Workers KV API. */
  readonly kv: Kv;
  /** A document store scoped to your tenant. */
  readonly db: Db;
  /**
   * HTTP through the host's gateway: only hosts in the request's `network.allow`, never private
   * addresses, redirects re-checked; credentials configured for the destination are added for you.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /**
   * The tools of the agent that started this run (passed over RPC, capnweb or MCP): each call goes
   * back to the agent. Calls after the run has settled are refused.
   */
  readonly tools: Tools;
}

/** The caller's tools: any method name, any arguments; results come back from the caller. */
// biome-ignore lint/suspicious/noExplicitAny: tools are whatever the calling agent provides.
export type Tools = Record<string, (...args: any[]) => Promise<any>>;

export interface RunContext {
  /** The tenant of the API key that started this run ("local" without keys). */
  readonly tenant: string;
  /** Identifies the request that started this run. */
  readonly requestId: string;
  /** Epoch milliseconds after which the run is stopped. */
  readonly deadline: number;
  /** The deadline the run was given, in milliseconds. */
  readonly timeoutMs: number;
}

export interface Kv {
  get(key: string, type?: "text"): Promise<string | null>;
  get<T = unknown>(key: string, type: "json"): Promise<T | null>;
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
  /** Values up to 4 MiB; `expirationTtl` in seconds, at least 60. */
  put(key: string, value: string | ArrayBuffer | ArrayBufferView, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Up to 1,000 keys per page; pass `cursor` back to get the next page. */
  list(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<KvList>;
}

export interface KvList {
  keys: { name: string; expiration?: number }[];
  list_complete: boolean;
  cursor?: string;
}

export interface Db {
  /** Creates or replaces the document `id` of `collection` (a JSON object up to 1 MiB). */
  put(collection: string, id: string, doc: object): Promise<{ id: string }>;
  get<T = Record<string, unknown>>(collection: string, id: string): Promise<T | null>;
  /** Documents matching `where`, newest first unless `orderBy` says otherwise; up to `limit` (default 100, at most 1,000). */
  list<T = Record<string, unknown>>(collection: string, options?: DbListOptions): Promise<DbEntry<T>[]>;
  /** Whether there was a document to delete. */
  delete(collection: string, id: string): Promise<boolean>;
}

export interface DbEntry<T> {
  id: string;
  doc: T;
}

export interface DbListOptions {
  /** Field paths ("status", "address.city") to a value or to conditions such as { $gt: 2 }. */
  where?: Record<string, Scalar | null | Conditions>;
  limit?: number;
  /** "field" ascending, "-field" descending, or { field, direction }. */
  orderBy?: OrderBy | OrderBy[];
}

export type Scalar = string | number | boolean;

export interface Conditions {
  $eq?: Scalar;
  $ne?: Scalar;
  $gt?: Scalar;
  $gte?: Scalar;
  $lt?: Scalar;
  $lte?: Scalar;
  $in?: Scalar[];
}

export type OrderBy = string | { field: string; direction?: "asc" | "desc" };

/**
 * An RPC client of a service: every method returns a promise you can also call methods on before
 * it resolves (promise pipelining: `$.example.counter(1).increment()` is one round trip).
 */
export type ServiceClient<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Pipelined<Awaited<R>> : never;
};

export type Pipelined<R> = Promise<R> & (R extends object ? ServiceClient<R> : unknown);
