/**
 * Bounds on fetching and building a registry package in the host. Each names the abuse it stops:
 * the host has 128 MB of memory and serves every tenant, so one hostile or huge package must fail
 * with a clear error instead of taking the isolate (and everyone's requests) down.
 */

export interface PackageLimits {
  /** One registry request (metadata or tarball), headers and body: a slow or hung registry. */
  fetchTimeoutMs: number;
  /** All the fetches and the build of one package together: a dependency tree that takes for ever. */
  linkTimeoutMs: number;
  /** A package's metadata (packument) as read: packages with thousands of versions. */
  packumentBytes: number;
  /** One compressed tarball: a package padded to exhaust memory or bandwidth. */
  tarballBytes: number;
  /** One tarball's files once decompressed: a gzip bomb. */
  unpackedBytes: number;
  /** Every tarball of one build together, decompressed. */
  totalUnpackedBytes: number;
  /** Entries in one tarball: a million empty files. */
  files: number;
  /** Packages (the root and its dependencies) in one build: a dependency tree without end. */
  packages: number;
  /** The bundle one entry produces, stored and loaded beside each unit that imports it. */
  bundleBytes: number;
}

export const PACKAGE_LIMITS: PackageLimits = {
  fetchTimeoutMs: 10_000,
  linkTimeoutMs: 30_000,
  packumentBytes: 10 * 1024 * 1024,
  tarballBytes: 8 * 1024 * 1024,
  unpackedBytes: 24 * 1024 * 1024,
  totalUnpackedBytes: 48 * 1024 * 1024,
  files: 5_000,
  packages: 64,
  bundleBytes: 8 * 1024 * 1024,
};
