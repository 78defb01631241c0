/**
 * The files of a multi-file request (docs/api.md, `modules`): path rules and how relative imports
 * resolve among them. Paths are relative to the request's root, `/`-separated, without `.` or `..`
 * segments once normalised; nothing outside the submitted files can be named.
 */

import type { SubmittedModules } from "./input";

export const SOURCE_EXTENSIONS = [".ts", ".js", ".mjs", ".json"] as const;
export const MODULE_EXTENSIONS = [...SOURCE_EXTENSIONS, ".wasm"] as const;

/** The normalised form of a submitted path, or why it is refused. */
export function normalizePath(path: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (path === "") return { ok: false, reason: "is empty" };
  if (path.startsWith("/") || /^[a-zA-Z]:/.test(path) || path.includes("\\")) {
    return { ok: false, reason: "must be relative and use `/` (no leading `/`, drive letter or `\\`)" };
  }
  if ([...path].some((char) => char.charCodeAt(0) < 32)) return { ok: false, reason: "contains a control character" };
  const segments = joinSegments([], path);
  if (!segments) return { ok: false, reason: "escapes the root with `..`" };
  const normalised = segments.join("/");
  if (!MODULE_EXTENSIONS.some((extension) => normalised.endsWith(extension))) {
    return { ok: false, reason: `must end with one of ${MODULE_EXTENSIONS.join(", ")}` };
  }
  return { ok: true, path: normalised };
}

/** `base` segments followed by `relative`'s; undefined when `..` climbs above the root. */
function joinSegments(base: string[], relative: string): string[] | undefined {
  const segments = [...base];
  for (const segment of relative.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) return undefined;
      segments.pop();
    } else segments.push(segment);
  }
  return segments;
}

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../");
}

/**
 * The submitted file a relative import from `importer` names: the exact path, then with `.ts`,
 * `.js`, `.mjs`, `.json` added, then `.js` read as `.ts` (TypeScript's convention), then `/index.*`.
 */
export function resolveFile(importer: string, specifier: string, modules: SubmittedModules): string | undefined {
  const directory = importer.split("/").slice(0, -1);
  const segments = joinSegments(directory, specifier);
  if (!segments || segments.length === 0) return undefined;
  const path = segments.join("/");
  const exists = (candidate: string) =>
    candidate === modules.main || Object.hasOwn(modules.sources, candidate) || Object.hasOwn(modules.wasm, candidate);
  const candidates = [
    path,
    ...SOURCE_EXTENSIONS.map((extension) => path + extension),
    ...(path.endsWith(".js") ? [`${path.slice(0, -3)}.ts`] : []),
    ...(path.endsWith(".mjs") ? [`${path.slice(0, -4)}.mts`] : []),
    ...SOURCE_EXTENSIONS.map((extension) => `${path}/index${extension}`),
  ];
  return candidates.find(exists);
}
