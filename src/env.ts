/** The host Worker's bindings and settings (see wrangler.jsonc). */

export interface Env {
  /** The Worker Loader that creates sandboxes. */
  LOADER: WorkerLoader;
  /** Comma-separated API keys (a secret). When set, `Authorization: Bearer <key>` is required. */
  API_KEYS?: string;
  /** Byte budget of the in-memory compile cache. */
  COMPILE_CACHE_BYTES?: string;
  /**
   * Local development and tests only: JSON mapping allowed hosts to a local origin that stands in
   * for them (see src/net/gateway.ts). Never set in production.
   */
  NETWORK_DEV_ROUTES?: string;
}
