/**
 * The second-level compile cache: compile results kept in durable stores shared by every host
 * isolate (and kept across restarts), behind the per-isolate byte LRU. A result is stored as JSON
 * under its unit id, which already covers the build, so a new build never reads an old entry.
 *
 * Two stores, tried in order (`TieredStore`): the Workers Cache API (per location, free, fast, but a
 * no-op on `workers.dev` hostnames), then Workers KV (global, works on every hostname; reads and
 * writes are billed). A store is an optimisation: a read or write that fails is a miss, never an
 * error of the request.
 */

import type { CompiledUnit, CompileResult } from ".";
import { type PositionStep, PositionTrace } from "./positions";

export interface UnitStore {
  get(id: string): Promise<CompileResult | undefined>;
  put(id: string, result: CompileResult): Promise<void>;
}

/** The Workers Cache API as the store (per location in production; on disk under `.wrangler/state` locally). */
export class CacheApiStore implements UnitStore {
  private cache: Promise<Cache> | undefined;

  constructor(
    private readonly caches: CacheStorage,
    private readonly name = "compiled-units",
  ) {}

  async get(id: string): Promise<CompileResult | undefined> {
    const response = await (await this.open()).match(this.key(id));
    return response ? parseResult(await response.text()) : undefined;
  }

  async put(id: string, result: CompileResult): Promise<void> {
    const body = serializeResult(result);
    const response = new Response(body, {
      headers: { "content-type": "application/json", "cache-control": "public, max-age=31536000, immutable" },
    });
    await (await this.open()).put(this.key(id), response);
  }

  private open(): Promise<Cache> {
    this.cache ??= this.caches.open(this.name);
    return this.cache;
  }

  private key(id: string): string {
    // Never fetched: the Cache API only needs a URL-shaped key.
    return `https://compile-cache.functions.do/units/${id}`;
  }
}

/**
 * How long a KV entry lives. Ids cover the build, so entries of an old build are never read again:
 * the TTL is what removes them. A unit still in use after it expires costs one recompile, after
 * which it is written again.
 */
export const KV_TTL_SECONDS = 30 * 24 * 60 * 60;

/** A Workers KV namespace as the store: one key per unit, written once (ids are content hashes). */
export class KvStore implements UnitStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly prefix = "units/",
  ) {}

  async get(id: string): Promise<CompileResult | undefined> {
    const text = await this.kv.get(this.prefix + id, "text");
    return text === null ? undefined : parseResult(text);
  }

  async put(id: string, result: CompileResult): Promise<void> {
    await this.kv.put(this.prefix + id, serializeResult(result), { expirationTtl: KV_TTL_SECONDS });
  }
}

/**
 * Stores tried in order: a read goes to the next store only on a miss (or a failure), and a hit in
 * a later store is copied into the earlier ones so the next read there is local. A write goes to
 * every store; one that fails does not keep the others from being written.
 */
export class TieredStore implements UnitStore {
  private readonly stores: readonly UnitStore[];

  constructor(...stores: UnitStore[]) {
    this.stores = stores;
  }

  async get(id: string): Promise<CompileResult | undefined> {
    for (const [index, store] of this.stores.entries()) {
      const found = await store.get(id).catch(() => undefined);
      if (!found) continue;
      await Promise.allSettled(this.stores.slice(0, index).map((earlier) => earlier.put(id, found)));
      return found;
    }
    return undefined;
  }

  async put(id: string, result: CompileResult): Promise<void> {
    const outcomes = await Promise.allSettled(this.stores.map((store) => store.put(id, result)));
    const failed = outcomes.find((outcome) => outcome.status === "rejected");
    if (failed && outcomes.every((outcome) => outcome.status === "rejected")) throw failed.reason;
  }
}

interface StoredTrace {
  steps: readonly PositionStep[];
  files?: Record<string, { path: string; trace: StoredTrace }>;
}

const VERSION = 1;

/** JSON text of a compile result: traces as their steps, WebAssembly bytes as base64. */
export function serializeResult(result: CompileResult): string {
  if (!result.ok) return JSON.stringify({ version: VERSION, result });
  const { unit } = result;
  return JSON.stringify({
    version: VERSION,
    result: {
      ok: true,
      unit: {
        ...unit,
        trace: storedTrace(unit.trace),
        ...(unit.files && {
          files: {
            ...unit.files,
            wasm: Object.fromEntries(Object.entries(unit.files.wasm).map(([path, bytes]) => [path, toBase64(bytes)])),
          },
        }),
      },
    },
  });
}

/** The result `serializeResult` wrote, or `undefined` for text it did not write (another version). */
export function parseResult(text: string): CompileResult | undefined {
  const stored = JSON.parse(text) as { version?: number; result?: CompileResult };
  if (stored.version !== VERSION || !stored.result) return undefined;
  const result = stored.result;
  if (!result.ok) return result;
  const { trace, files, ...rest } = result.unit as unknown as Omit<CompiledUnit, "trace" | "files"> & {
    trace: StoredTrace;
    files?: { main: string; sources: Record<string, string>; wasm: Record<string, string> };
  };
  const unit: CompiledUnit = { ...rest, trace: restoredTrace(trace) };
  if (files) {
    const wasm = Object.fromEntries(Object.entries(files.wasm).map(([path, text]) => [path, fromBase64(text)]));
    unit.files = { ...files, wasm };
  }
  return { ok: true, unit };
}

function storedTrace(trace: PositionTrace): StoredTrace {
  return {
    steps: trace.steps,
    ...(trace.files && {
      files: Object.fromEntries(
        Object.entries(trace.files).map(([name, file]) => [name, { path: file.path, trace: storedTrace(file.trace) }]),
      ),
    }),
  };
}

function restoredTrace(stored: StoredTrace): PositionTrace {
  const files = stored.files
    ? Object.fromEntries(
        Object.entries(stored.files).map(([name, file]) => [
          name,
          { path: file.path, trace: restoredTrace(file.trace) },
        ]),
      )
    : undefined;
  return new PositionTrace(stored.steps, files);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
