/**
 * Per-isolate state of the host: the compiler and its cache, created once from the environment
 * on the first request and reused by every request the isolate serves.
 */

import { DEFAULT_LIMITS, type ExecutionLimits } from "../shared/limits";
import { Compiler } from "./compile";
import { CacheApiStore } from "./compile/store";
import type { Env } from "./env";
import { BUILD_ID } from "./generated/prelude";
import { SandboxPool } from "./run/loader";

const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;
/** Named (cached) sandbox isolates per host isolate; see src/run/loader.ts. */
const DEFAULT_SANDBOX_ISOLATES = 128;

export interface Service {
  compiler: Compiler;
  sandboxes: SandboxPool;
  limits: ExecutionLimits;
}

let service: Service | undefined;

export function getService(env: Env): Service {
  service ??= {
    compiler: new Compiler({
      cacheBytes: positiveInt(env.COMPILE_CACHE_BYTES) ?? DEFAULT_CACHE_BYTES,
      build: BUILD_ID,
      store: new CacheApiStore(caches),
    }),
    sandboxes: new SandboxPool(positiveInt(env.SANDBOX_ISOLATES) ?? DEFAULT_SANDBOX_ISOLATES),
    limits: DEFAULT_LIMITS,
  };
  return service;
}

function positiveInt(text: string | undefined): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
