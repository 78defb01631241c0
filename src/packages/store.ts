/**
 * Where built packages are kept: an R2 bucket shared by every host isolate and kept across restarts
 * (on disk under `.wrangler/state` locally). A bundle is stored once per `name@version[/subpath]`
 * and never changes; a resolution (`left-pad@latest` → 1.3.0) is kept with the time it was made,
 * so an unpinned import is checked against the registry again only once it is old.
 *
 * The store is an optimisation: a read or write that fails costs a rebuild, never the request.
 */

export interface StoredBundle {
  /** `name@version` or `name@version/subpath`. */
  entry: string;
  code: string;
  exports: string[];
}

export interface PackageStore {
  getBundle(entry: string): Promise<StoredBundle | undefined>;
  putBundle(bundle: StoredBundle): Promise<void>;
  getResolution(name: string, range: string): Promise<{ version: string; at: number } | undefined>;
  putResolution(name: string, range: string, version: string): Promise<void>;
}

/**
 * Part of every bundle's key: bump it when bundle-package.ts changes what it produces, so bundles
 * built by older code are never loaded.
 */
export const BUNDLE_FORMAT = "1";

export class R2PackageStore implements PackageStore {
  constructor(private readonly bucket: R2Bucket) {}

  async getBundle(entry: string): Promise<StoredBundle | undefined> {
    const object = await this.bucket.get(bundleKey(entry));
    if (!object) return undefined;
    const stored = (await object.json()) as Partial<StoredBundle>;
    if (typeof stored.code !== "string" || !Array.isArray(stored.exports)) return undefined;
    return { entry, code: stored.code, exports: stored.exports };
  }

  async putBundle(bundle: StoredBundle): Promise<void> {
    await this.bucket.put(bundleKey(bundle.entry), JSON.stringify(bundle), {
      httpMetadata: { contentType: "application/json" },
    });
  }

  async getResolution(name: string, range: string): Promise<{ version: string; at: number } | undefined> {
    const object = await this.bucket.get(resolutionKey(name, range));
    if (!object) return undefined;
    const stored = (await object.json()) as { version?: unknown; at?: unknown };
    return typeof stored.version === "string" && typeof stored.at === "number"
      ? { version: stored.version, at: stored.at }
      : undefined;
  }

  async putResolution(name: string, range: string, version: string): Promise<void> {
    await this.bucket.put(resolutionKey(name, range), JSON.stringify({ version, at: Date.now() }));
  }
}

function bundleKey(entry: string): string {
  return `bundles/v${BUNDLE_FORMAT}/${entry}.json`;
}

function resolutionKey(name: string, range: string): string {
  return `resolutions/${name}/${encodeURIComponent(range)}.json`;
}
