/**
 * Problems with a package a snippet imports. They are the snippet's problems, reported like a
 * compile error on its import (nothing ran), except when the registry cannot be reached or a
 * package is over a limit: those are `resource` errors, and never cached.
 */

export const PACKAGE_ERRORS = {
  /** The registry has no package of that name. */
  unknown_package: "syntax",
  /** The package has no version matching what was asked for. */
  unknown_version: "syntax",
  /** The entry (`name/sub/path`) is not in the package, or the package has nothing to import. */
  unknown_entry: "syntax",
  /** The operator's policy does not allow fetching it for this tenant. */
  refused: "syntax",
  /** It imports Node built-ins the sandbox only stubs (child_process, vm, ...). */
  unsupported_builtins: "syntax",
  /** The tarball or its code is broken: integrity mismatch, unreadable archive, a bundling error. */
  invalid_package: "syntax",
  /** Over a limit of PACKAGE_LIMITS (sizes, file count, dependencies). */
  too_large: "resource",
  /** The registry is down, slow, or answered something unusable. */
  registry_unavailable: "resource",
} as const;

export type PackageErrorCode = keyof typeof PACKAGE_ERRORS;

export class PackageError extends Error {
  override readonly name = "PackageError";

  constructor(
    readonly code: PackageErrorCode,
    message: string,
  ) {
    super(message);
  }

  get kind(): "syntax" | "resource" {
    return PACKAGE_ERRORS[this.code];
  }
}
