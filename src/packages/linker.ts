/**
 * Links a unit's imports of registry packages: the operator's policy first, then the version
 * (pinned, or resolved and remembered for RESOLUTION_TTL_MS), then the bundle of that entry: from
 * this isolate's memory, else the shared store, else fetched and built here and stored. Only the
 * first use of a version anywhere pays for the registry and esbuild; later isolates read the store.
 * Every unit that uses packages is checked again on each use (`prepare`): the tenant's policy, that
 * an unpinned specifier still resolves to the same version, and its bundles' sources for the sandbox.
 */

import semver from "semver";
import { ByteLru } from "../compile/cache";
import { type Diagnostic, LineIndex } from "../compile/diagnostic";
import { toHex } from "../compile/hash";
import { type ProvidedModule, providedModule } from "../compile/modules";
import type { ModuleRequest } from "../compile/shape";
import { builtinName } from "./builtins";
import { bundleEntry } from "./bundle-package";
import { PackageError } from "./errors";
import { PackageFetcher, pickVersion } from "./fetch-package";
import type { PackageLimits } from "./limits";
import { type PackagePolicy, refusal } from "./policy";
import { readyPackageOf, readySources } from "./ready-set";
import type { RegistryClient } from "./registry";
import { entryName, type PackageSpecifier, parsePackageSpecifier } from "./specifier";
import type { PackageStore, StoredBundle } from "./store";

export { preparePackages } from "./prepare-unit";

/** How long an unpinned specifier (`left-pad`, `left-pad@^1`) keeps the version it resolved to. */
export const RESOLUTION_TTL_MS = 10 * 60 * 1000;

/** Where registry bundles live in the sandbox, beside `unit.js`. */
export const PACKAGES_DIR = "packages";

/** One registry import of a unit, as it was linked (kept with the compiled unit). */
export interface LinkedPackage {
  specifier: string;
  name: string;
  range: string;
  pinned: boolean;
  subpath: string;
  version: string;
  /** The sandbox module the unit imports: `packages/left-pad@1.3.0.js`, or a ready-set module. */
  module: string;
  /** Served from the ready set (a versioned specifier its version satisfies): the ready-set specifier. */
  ready?: string;
}

export type LinkResult =
  | { ok: true; modules: Map<string, ProvidedModule>; packages: LinkedPackage[] }
  | { ok: false; diagnostics: Diagnostic[] };

export interface PackageLinkerOptions {
  registry: RegistryClient;
  store?: PackageStore;
  policy: PackagePolicy;
  limits: PackageLimits;
  /** Bytes of bundle sources kept in this isolate's memory. */
  cacheBytes: number;
}

export class PackageLinker {
  private readonly sources: ByteLru<StoredBundle>;
  private readonly resolutions = new Map<string, { version: string; at: number }>();
  private readonly building = new Map<string, Promise<StoredBundle>>();
  /** Bundles built by this isolate (the registry was asked), for tests and the bench. */
  builds = 0;

  constructor(private readonly options: PackageLinkerOptions) {
    this.sources = new ByteLru(options.cacheBytes, (bundle) => bundle.code.length * 2 + 256);
  }

  /** Links the imports that name neither a module of the service nor the ready set. */
  async link(code: string, requests: readonly ModuleRequest[], tenant: string): Promise<LinkResult> {
    const modules = new Map<string, ProvidedModule>();
    const packages: LinkedPackage[] = [];
    const diagnostics: Diagnostic[] = [];
    let lines: LineIndex | undefined;
    // Node's built-in names (`fs`, `child_process`) are never packages: on npm some are squatted.
    const wanted = requests.filter(
      (request) =>
        !request.computed &&
        !request.specifier.startsWith(".") &&
        !providedModule(request.specifier) &&
        !builtinName(request.specifier),
    );
    await Promise.all(
      wanted.map(async (request) => {
        const parsed = parsePackageSpecifier(request.specifier);
        if (!parsed) return;
        try {
          const linked = await this.linkOne(request.specifier, parsed, tenant);
          packages.push(linked.linked);
          modules.set(request.specifier, linked.module);
        } catch (error) {
          if (!(error instanceof PackageError)) throw error;
          lines ??= new LineIndex(code);
          diagnostics.push({
            message: error.message,
            position: lines.positionAt(request.start),
            hint: hintFor(error),
            package: { kind: error.kind },
          });
        }
      }),
    );
    if (diagnostics.length > 0) return { ok: false, diagnostics };
    packages.sort((a, b) => a.specifier.localeCompare(b.specifier));
    return { ok: true, modules, packages };
  }

  /**
   * The sandbox modules of a compiled unit's packages for this tenant, or undefined when the unit
   * must be compiled again: a package the tenant may not fetch (the compile says why, on its line),
   * an unpinned specifier that now resolves to another version, or a bundle no longer stored.
   */
  async prepare(packages: readonly LinkedPackage[], tenant: string): Promise<Record<string, string> | undefined> {
    const modules: Record<string, string> = {};
    for (const linked of packages) {
      if (linked.ready) {
        Object.assign(modules, readySources([linked.ready]));
        continue;
      }
      if (refusal(this.options.policy, tenant, linked.name)) return undefined;
      if (!linked.pinned) {
        // A registry that cannot be reached keeps the version the unit has.
        const current = await this.resolveVersion(linked.name, linked.range).catch(() => linked.version);
        if (current !== linked.version) return undefined;
      }
      const bundle = await this.cachedBundle(entryName(linked.name, linked.version, linked.subpath));
      if (!bundle) return undefined;
      modules[linked.module] = bundle.code;
    }
    return modules;
  }

  private async linkOne(
    specifier: string,
    parsed: PackageSpecifier,
    tenant: string,
  ): Promise<{ linked: LinkedPackage; module: ProvidedModule }> {
    const { name, range, pinned, subpath } = parsed;
    const ready = readyPackageOf(name);
    if (ready && (range === "latest" || semver.satisfies(ready.version, range))) {
      const readySpecifier = subpath ? `${name}/${subpath}` : name;
      const module = providedModule(readySpecifier);
      if (!module?.library) {
        throw new PackageError(
          "unknown_entry",
          `The ready set's ${name}@${ready.version} has no subpath "${readySpecifier}": only those its package.json exports (or its files, for a package without an exports map).`,
        );
      }
      return {
        linked: {
          specifier,
          name,
          range,
          pinned,
          subpath,
          version: ready.version,
          module: module.library.module,
          ready: readySpecifier,
        },
        module: { ...module, specifier },
      };
    }
    const refused = refusal(this.options.policy, tenant, name);
    if (refused) throw new PackageError("refused", refused);
    const version = pinned ? range : await this.resolveVersion(name, range);
    const entry = entryName(name, version, subpath);
    const bundle = (await this.cachedBundle(entry)) ?? (await this.build(entry, name, version, subpath));
    const module = `${PACKAGES_DIR}/${entry}.js`;
    return {
      linked: { specifier, name, range, pinned, subpath, version, module },
      module: { specifier, source: "", exports: bundle.exports, description: entry, library: { module } },
    };
  }

  /** The version an unpinned range resolves to: remembered here and in the store for RESOLUTION_TTL_MS. */
  private async resolveVersion(name: string, range: string): Promise<string> {
    const key = `${name}@${range}`;
    const now = Date.now();
    const known = this.resolutions.get(key);
    if (known && now - known.at < RESOLUTION_TTL_MS) return known.version;
    const { store } = this.options;
    const stored = await store?.getResolution(name, range).catch(() => undefined);
    if (stored && now - stored.at < RESOLUTION_TTL_MS) {
      this.resolutions.set(key, stored);
      return stored.version;
    }
    const packument = await new PackageFetcher(this.options.registry, this.options.limits).packument(name);
    const version = pickVersion(packument, name, range);
    this.resolutions.set(key, { version, at: now });
    await store?.putResolution(name, range, version).catch(() => undefined);
    return version;
  }

  private async cachedBundle(entry: string): Promise<StoredBundle | undefined> {
    const held = this.sources.get(entry);
    if (held) return held;
    const stored = await this.options.store?.getBundle(entry).catch(() => undefined);
    if (stored) this.sources.set(entry, stored);
    return stored;
  }

  /** Fetches and bundles one entry, once per isolate however many requests want it at once. */
  private build(entry: string, name: string, version: string, subpath: string): Promise<StoredBundle> {
    let pending = this.building.get(entry);
    if (!pending) {
      pending = (async () => {
        const fetcher = new PackageFetcher(this.options.registry, this.options.limits);
        const packument = await fetcher.packument(name);
        const root = await fetcher.files(packument, version);
        const built = await bundleEntry(root, subpath, fetcher, this.options.limits.bundleBytes);
        this.builds++;
        const bundle: StoredBundle = { entry, code: built.code, exports: built.exports };
        this.sources.set(entry, bundle);
        await this.options.store?.putBundle(bundle).catch(() => undefined);
        return bundle;
      })().finally(() => this.building.delete(entry));
      this.building.set(entry, pending);
    }
    return pending;
  }
}

/**
 * A unit's id and packages: with registry packages the loaded code includes their bundles, so the
 * id covers the versions they were linked to.
 */
export async function packagedUnitId(
  id: string,
  packages: LinkedPackage[] = [],
): Promise<{ id: string; packages?: LinkedPackage[] }> {
  if (packages.length === 0) return { id };
  const text = JSON.stringify([id, packages.map((linked) => [linked.specifier, linked.module])]);
  return { id: toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))), packages };
}

function hintFor(error: PackageError): string {
  switch (error.code) {
    case "refused":
      return "Use a package of the ready set (GET /types lists them), or ask the operator to allow this one.";
    case "unknown_package":
      return "Check the name on the registry; scoped packages are written @scope/name.";
    case "unknown_version":
      return "Pin a version the registry has (name@1.2.3), or leave the version out for the latest.";
    case "registry_unavailable":
      return "The registry could not be used right now; try again, or pin a version already fetched.";
    case "unsupported_builtins":
      return "Pick a package made for browsers or Workers; the sandbox cannot start processes or VMs.";
    default:
      return "Try another version of the package, or another package.";
  }
}
