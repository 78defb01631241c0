/**
 * Module resolution inside an extracted package, as bundlers do it for the browser: the `exports`
 * map under the conditions a Worker matches, else `browser`/`module`/`main`, then file extensions
 * and `index` files; the `browser` field's replacements (and `false` for "nothing here") apply.
 * Pure functions over the package's files; no I/O.
 */

export interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  module?: string;
  browser?: string | Record<string, string | false>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface PackageFiles {
  name: string;
  version: string;
  files: ReadonlyMap<string, Uint8Array>;
  json: PackageJson;
}

/** Conditions a Worker matches, first; a package that exports only for Node or `require` gets a second try. */
const CONDITIONS = [
  ["workerd", "worker", "browser", "import", "module", "default"],
  ["workerd", "worker", "browser", "import", "module", "require", "node", "default"],
];

const EXTENSIONS = ["", ".js", ".mjs", ".cjs", ".json", ".ts", ".mts", ".cts", ".tsx", ".jsx"];
const INDEXES = ["index.js", "index.mjs", "index.cjs", "index.json", "index.ts"];

/**
 * The file `name/subpath` names (`subpath` "" for the main entry): a path in the package, `false`
 * when the package maps it to nothing for browsers, undefined when it has no such entry.
 */
export function resolveEntry(pkg: PackageFiles, subpath: string): string | false | undefined {
  const { exports } = pkg.json;
  if (exports !== undefined && exports !== null) {
    for (const conditions of CONDITIONS) {
      const target = exportTarget(exports, subpath ? `./${subpath}` : ".", new Set(conditions));
      if (target === null) return undefined;
      if (target !== undefined) return resolveFile(pkg, target.replace(/^\.\//, ""));
    }
    return undefined;
  }
  if (subpath) return resolveFile(pkg, subpath);
  const { browser, module, main } = pkg.json;
  for (const candidate of [typeof browser === "string" ? browser : undefined, module, main, "index"]) {
    if (typeof candidate !== "string") continue;
    const found = resolveFile(pkg, candidate.replace(/^\.\//, ""));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A relative import (`./a`, `../b/c.js`) from the file `importer` of the package. */
export function resolveRelative(pkg: PackageFiles, importer: string, specifier: string): string | false | undefined {
  const joined = normalize([...importer.split("/").slice(0, -1), ...specifier.split("/")]);
  return joined === undefined ? undefined : resolveFile(pkg, joined);
}

/** What the `browser` field maps a bare module name to inside this package: `false` for nothing. */
export function browserReplacement(pkg: PackageFiles, name: string): string | false | undefined {
  const { browser } = pkg.json;
  if (typeof browser !== "object" || browser === null) return undefined;
  return browser[name];
}

/** A path in the package, with extensions and `index` files tried, after the `browser` field's replacements. */
export function resolveFile(pkg: PackageFiles, path: string): string | false | undefined {
  const found = findFile(pkg, path);
  if (found === undefined) return undefined;
  const replaced = browserFileReplacement(pkg, found);
  if (replaced === false) return false;
  return replaced === undefined ? found : (findFile(pkg, replaced) ?? found);
}

function findFile(pkg: PackageFiles, path: string): string | undefined {
  const clean = normalize(path.split("/"));
  if (clean === undefined) return undefined;
  for (const extension of EXTENSIONS) {
    if (pkg.files.has(clean + extension)) return clean + extension;
  }
  const nested = pkg.files.get(`${clean}/package.json`);
  if (nested) {
    const main = parseJson(nested)?.main;
    if (typeof main === "string") {
      const inner = findFile(pkg, `${clean}/${main}`);
      if (inner) return inner;
    }
  }
  for (const index of INDEXES) {
    const candidate = clean ? `${clean}/${index}` : index;
    if (pkg.files.has(candidate)) return candidate;
  }
  return undefined;
}

function browserFileReplacement(pkg: PackageFiles, file: string): string | false | undefined {
  const { browser } = pkg.json;
  if (typeof browser !== "object" || browser === null) return undefined;
  const bare = file.replace(/\.(?:js|mjs|cjs|json)$/, "");
  for (const key of [`./${file}`, file, `./${bare}`, bare]) {
    const value = browser[key];
    if (value === false) return false;
    if (typeof value === "string") return value.replace(/^\.\//, "");
  }
  return undefined;
}

/**
 * The target of `subpath` in an `exports` value under `conditions`: a `./`-relative path, `null`
 * when the map excludes it, undefined when nothing matches these conditions.
 */
function exportTarget(exports: unknown, subpath: string, conditions: Set<string>): string | null | undefined {
  const isSubpathMap =
    typeof exports === "object" &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith("."));
  if (!isSubpathMap) return subpath === "." ? conditionalTarget(exports, conditions, "") : undefined;
  const map = exports as Record<string, unknown>;
  if (subpath in map) return conditionalTarget(map[subpath], conditions, "");
  // The longest pattern (`./lib/*`, `./*.js`) or folder (`./lib/`) that matches.
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf("*");
    if (star !== -1) {
      const before = key.slice(0, star);
      const after = key.slice(star + 1);
      if (subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= key.length - 1) {
        if (!best || before.length > best.key.indexOf("*")) {
          best = { key, star: subpath.slice(before.length, subpath.length - after.length) };
        }
      }
    } else if (key.endsWith("/") && subpath.startsWith(key) && (!best || key.length > best.key.length)) {
      best = { key, star: subpath.slice(key.length) };
    }
  }
  if (!best) return undefined;
  const target = conditionalTarget(map[best.key], conditions, best.star);
  if (typeof target === "string" && best.key.endsWith("/")) return target + best.star;
  return target;
}

function conditionalTarget(value: unknown, conditions: Set<string>, star: string): string | null | undefined {
  if (value === null) return null;
  if (typeof value === "string") return value.startsWith("./") ? value.replaceAll("*", star) : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = conditionalTarget(item, conditions, star);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (typeof value === "object") {
    for (const [condition, target] of Object.entries(value as Record<string, unknown>)) {
      if (!conditions.has(condition)) continue;
      const found = conditionalTarget(target, conditions, star);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Joins path parts, resolving `.` and `..`; undefined when the path would leave the package. */
function normalize(parts: string[]): string | undefined {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

export function parseJson(bytes: Uint8Array): PackageJson | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}
