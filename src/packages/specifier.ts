/**
 * Package specifiers as snippets write them: `left-pad`, `left-pad@1.3.0` (pinned),
 * `left-pad@^1.2` or `left-pad@next` (resolved), `@scope/name@2.0.0/sub/path`. A bare name means
 * the registry's `latest`. Anything else (`node:fs`, URLs, relative paths) is not a package.
 */

import semver from "semver";

export interface PackageSpecifier {
  /** `left-pad`, `@scope/name`. */
  name: string;
  /** What was asked for: an exact version, a semver range or a dist-tag (`latest` when none). */
  range: string;
  /** An exact version: resolving it never asks the registry. */
  pinned: boolean;
  /** `sub/path` of `name/sub/path`, or "" for the package's main entry. */
  subpath: string;
}

// npm's rules for new names: lower case, URL-safe, not starting with `.` or `_`, at most 214 characters.
const NAME_PART = "[a-z0-9~-][a-z0-9._~-]*";
const SPECIFIER = new RegExp(`^((?:@${NAME_PART}/)?${NAME_PART})(?:@([^/]+))?((?:/[^/]+)*)$`);
const SEGMENT = /^[A-Za-z0-9._~@+-]+$/;
const TAG = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** The package a specifier names, or undefined when it is not a package specifier. */
export function parsePackageSpecifier(specifier: string): PackageSpecifier | undefined {
  const match = SPECIFIER.exec(specifier);
  if (!match) return undefined;
  const [, name = "", version, rest = ""] = match;
  if (name.length > 214) return undefined;
  const subpath = rest.slice(1);
  if (subpath !== "" && subpath.split("/").some((segment) => !SEGMENT.test(segment) || /^\.+$/.test(segment))) {
    return undefined;
  }
  const range = version?.trim() || "latest";
  const pinned = semver.valid(range) !== null;
  if (!pinned && !TAG.test(range) && semver.validRange(range) === null) return undefined;
  return { name, range: pinned ? (semver.clean(range) ?? range) : range, pinned, subpath };
}

/** Whether the text after `@` is a version or range (not a dist-tag such as `next`). */
export function isSemverRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

/** `name@version` plus the subpath: how modules, stores and messages name one entry of a package. */
export function entryName(name: string, version: string, subpath: string): string {
  return subpath ? `${name}@${version}/${subpath}` : `${name}@${version}`;
}
