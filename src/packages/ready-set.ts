/**
 * The ready set: npm packages bundled at build time (scripts/build-libraries.mjs) and held as text
 * modules, so the host never parses them at its start. A unit that imports one gets its module
 * beside it in the sandbox (`libraries/<name>.js`); a subpath (`date-fns/format`) gets its small
 * module and the chunks that one imports, read out of the package's subpath table the first time
 * any of its subpaths is asked for.
 */

import { READY_SET } from "../generated/libraries";

/** One package of the ready set, as scripts/build-libraries.mjs generates it. */
export interface ReadyPackage {
  name: string;
  version: string;
  /** One line for module lists, /types and completions. */
  description: string;
  /** The main entry: one minified ES module. */
  source: string;
  /** The main entry's export names. */
  exports: readonly string[];
  /** JSON of a `SubpathTable`, when the package has subpaths. */
  subpaths?: string;
  subpathCount?: number;
}

interface SubpathTable {
  /** specifier → its module (a path under `libraries/`) and export names. */
  entries: Record<string, { module: string; exports: string[] }>;
  /** module path → source and the module paths it imports. */
  modules: Record<string, { source: string; imports: string[] }>;
}

export interface ReadyModule {
  /** The package's name (for a subpath, of the package it belongs to). */
  name: string;
  version: string;
  /** The module the unit imports, relative to the sandbox's root (`libraries/date-fns/format.js`). */
  module: string;
  exports: readonly string[];
}

/** Where ready-set modules live in the sandbox. */
export const LIBRARIES_DIR = "libraries";

const PACKAGES = new Map(READY_SET.map((pkg) => [pkg.name, pkg]));
const tables = new Map<string, SubpathTable>();

/** The ready set's packages, by name. */
export function readyPackages(): readonly ReadyPackage[] {
  return READY_SET;
}

/** The package of the ready set that `specifier` (`date-fns`, `date-fns/format`) belongs to. */
export function readyPackageOf(specifier: string): ReadyPackage | undefined {
  return PACKAGES.get(specifier) ?? PACKAGES.get(packageName(specifier));
}

/** The ready-set module a specifier names, or undefined when the ready set has none. */
export function readyModule(specifier: string): ReadyModule | undefined {
  const pkg = readyPackageOf(specifier);
  if (!pkg) return undefined;
  const { name, version } = pkg;
  if (specifier === name) return { name, version, module: `${LIBRARIES_DIR}/${name}.js`, exports: pkg.exports };
  const entry = subpathTable(pkg)?.entries[specifier];
  return entry && { name, version, module: `${LIBRARIES_DIR}/${entry.module}`, exports: entry.exports };
}

/**
 * The sandbox modules for the ready-set specifiers a unit imports: each one's module and, for a
 * subpath, every module it imports in turn (chunks, the package's main module).
 */
export function readySources(specifiers: readonly string[]): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const specifier of specifiers) {
    const pkg = readyPackageOf(specifier);
    if (!pkg) continue;
    if (specifier === pkg.name) {
      sources[`${LIBRARIES_DIR}/${pkg.name}.js`] = pkg.source;
      continue;
    }
    const table = subpathTable(pkg);
    const entry = table?.entries[specifier];
    if (!table || !entry) continue;
    const pending = [entry.module];
    while (pending.length > 0) {
      const path = pending.pop() as string;
      const key = `${LIBRARIES_DIR}/${path}`;
      if (key in sources) continue;
      if (path === `${pkg.name}.js`) {
        sources[key] = pkg.source;
        continue;
      }
      const module = table.modules[path];
      if (!module) continue;
      sources[key] = module.source;
      pending.push(...module.imports);
    }
  }
  return sources;
}

/** `lodash-es/chunk` → `lodash-es`, `@scope/name/sub` → `@scope/name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

function subpathTable(pkg: ReadyPackage): SubpathTable | undefined {
  if (!pkg.subpaths) return undefined;
  let table = tables.get(pkg.name);
  if (!table) {
    // Parsed once per isolate, the first time one of the package's subpaths is asked for.
    table = JSON.parse(pkg.subpaths) as SubpathTable;
    tables.set(pkg.name, table);
  }
  return table;
}
