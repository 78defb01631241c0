import type { LogEntry } from "./protocol";

/**
 * The methods of the host's `RuntimeHost` entrypoint, as the prelude calls them through the per-run
 * stub to build `$`. The host implements them (src/runtime/entrypoint.ts); arguments arrive
 * unchecked from user code, so every method validates its own.
 */

export interface RuntimeApi {
  kvGet(key: unknown, type?: unknown): Promise<unknown>;
  kvPut(key: unknown, value: unknown, options?: unknown): Promise<void>;
  kvDelete(key: unknown): Promise<void>;
  kvList(options?: unknown): Promise<unknown>;
  dbPut(collection: unknown, id: unknown, doc: unknown): Promise<{ id: string }>;
  dbGet(collection: unknown, id: unknown): Promise<unknown>;
  dbDelete(collection: unknown, id: unknown): Promise<boolean>;
  dbList(collection: unknown, options?: unknown): Promise<unknown>;
  fetch(request: Request): Promise<Response>;
  /** A manifest service's RPC stub; calls on it may be pipelined. */
  service(name: unknown): unknown;
}

/**
 * The caller's tools, as the prelude reaches them for `$.tools.<name>(...args)`: a host-side bridge
 * to whatever the caller passed (a Workers RPC stub or a capnweb stub). After the run settles the
 * bridge refuses every call.
 */
export interface ToolsApi {
  call(name: string, args: unknown[]): unknown;
}

/** Receives log entries while the run is still going, in order, in batches. */
export interface LogSinkApi {
  write(entries: LogEntry[]): Promise<void> | void;
}
