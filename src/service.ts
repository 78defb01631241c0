/**
 * Per-isolate state of the host: the compiler and its cache, created once from the environment
 * on the first request and reused by every request the isolate serves.
 */

import { DEFAULT_LIMITS, type ExecutionLimits, FUNCTION_LIMITS, type FunctionLimits } from "../shared/limits";
import { Compiler } from "./compile";
import { CacheApiStore, KvStore, TieredStore, type UnitStore } from "./compile/store";
import type { Env } from "./env";
import { BUILD_ID } from "./generated/prelude";
import { packageLinker } from "./packages/from-env";
import { SandboxPool } from "./sandbox/loader";

const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;
/** Named (cached) sandbox isolates per host isolate; see src/sandbox/loader.ts. */
const DEFAULT_SANDBOX_ISOLATES = 128;

export interface Service {
  compiler: Compiler;
  sandboxes: SandboxPool;
  limits: ExecutionLimits;
  /** Stored functions' limits: `FUNCTION_LIMITS`, with any field the `FUNCTION_LIMITS` variable sets. */
  functionLimits: FunctionLimits;
}

let service: Service | undefined;

export function getService(env: Env): Service {
  service ??= {
    compiler: new Compiler({
      cacheBytes: positiveInt(env.COMPILE_CACHE_BYTES) ?? DEFAULT_CACHE_BYTES,
      build: BUILD_ID,
      store: unitStore(env),
      packages: packageLinker(env),
    }),
    sandboxes: new SandboxPool(positiveInt(env.SANDBOX_ISOLATES) ?? DEFAULT_SANDBOX_ISOLATES),
    limits: DEFAULT_LIMITS,
    functionLimits: functionLimits(env.FUNCTION_LIMITS),
  };
  return service;
}

/**
 * The second-level compile cache: the Cache API first (free and local to the location), then the
 * COMPILE_CACHE KV namespace when it is bound, because the Cache API never hits on `workers.dev`
 * hostnames (docs/deploy.md, "The compile cache").
 */
export function unitStore(env: Pick<Env, "COMPILE_CACHE">, cacheStorage: CacheStorage = caches): UnitStore {
  const cache = new CacheApiStore(cacheStorage);
  return env.COMPILE_CACHE ? new TieredStore(cache, new KvStore(env.COMPILE_CACHE)) : cache;
}

/** `FUNCTION_LIMITS` overridden by the fields of a JSON object that are positive integers. */
function functionLimits(text: string | undefined): FunctionLimits {
  const limits: FunctionLimits = { ...FUNCTION_LIMITS };
  if (!text) return limits;
  let overrides: unknown;
  try {
    overrides = JSON.parse(text);
  } catch {
    console.error("FUNCTION_LIMITS is not JSON; using the defaults");
    return limits;
  }
  for (const key of Object.keys(limits) as (keyof FunctionLimits)[]) {
    const value = positiveInt(String((overrides as Record<string, unknown> | null)?.[key]));
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

function positiveInt(text: string | undefined): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
