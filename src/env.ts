/** The host Worker's bindings and settings (see wrangler.jsonc). */

import type { RateLimiter } from "./tenancy/rate-limiter";

export interface Env {
  /** The Worker Loader that creates sandboxes. */
  LOADER: WorkerLoader;
  /** The playground page's static files (playground/dist). */
  ASSETS: Fetcher;
  /** $.kv's namespace (keys prefixed by tenant). */
  KV: KVNamespace;
  /** The compile cache's shared level on every hostname (src/compile/store.ts); optional. */
  COMPILE_CACHE?: KVNamespace;
  /** $.db's database (migrations/). */
  DB: D1Database;
  /** One rate-limit bucket per tenant. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** The example service of the runtime manifest. */
  EXAMPLE?: Fetcher;
  /** API keys → tenant and tier (a secret; see src/tenancy/keys.ts). When set, Bearer auth is required. */
  API_KEYS?: string;
  /** Headers `$.fetch` adds host-side, by destination host (a secret; see src/net/gateway.ts). */
  FETCH_CREDENTIALS?: string;
  /** Byte budget of the in-memory compile cache. */
  COMPILE_CACHE_BYTES?: string;
  /** How many distinct cached (named) sandbox isolates a host isolate may create (src/sandbox/loader.ts). */
  SANDBOX_ISOLATES?: string;
  /** Overrides of `FUNCTION_LIMITS` (shared/limits.ts) as JSON, e.g. `{"functions": 200}`. */
  FUNCTION_LIMITS?: string;
  /**
   * Local development and tests only: JSON mapping allowed hosts to a local origin that stands in
   * for them (see src/net/gateway.ts). Never set in production.
   */
  NETWORK_DEV_ROUTES?: string;
  /** Built registry packages, by `name@version` (src/packages/store.ts). */
  PACKAGES?: R2Bucket;
  /** The npm registry packages are fetched from (default https://registry.npmjs.org/). */
  NPM_REGISTRY?: string;
  /** Which tenants may have which packages fetched: "none", "any" or JSON (src/packages/policy.ts). */
  NPM_POLICY?: string;
  /** Overrides of PACKAGE_LIMITS (src/packages/limits.ts) as JSON, e.g. `{"fetchTimeoutMs": 3000}`. */
  NPM_LIMITS?: string;
  /** "1" serves GET /__bench/floor for `npm run bench`; never set in production. */
  BENCH_ROUTES?: string;
}
