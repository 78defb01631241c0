/**
 * Fetches packages for one build: resolves each name and range against the registry's metadata,
 * downloads and extracts the tarball, and keeps the build inside its budgets (packages, bytes
 * decompressed, and a deadline for the whole). One fetcher serves one build, so a dependency that
 * many packages ask for is fetched once.
 */

import semver from "semver";
import { PackageError } from "./errors";
import type { PackageLimits } from "./limits";
import { type PackageFiles, parseJson } from "./node-resolve";
import type { Packument, RegistryClient } from "./registry";
import { extractTarball } from "./tarball";

export class PackageFetcher {
  private readonly packuments = new Map<string, Promise<Packument>>();
  private readonly packages = new Map<string, Promise<PackageFiles>>();
  private unpacked = 0;
  private readonly deadline: number;

  constructor(
    private readonly registry: RegistryClient,
    private readonly limits: PackageLimits,
  ) {
    this.deadline = Date.now() + limits.linkTimeoutMs;
  }

  packument(name: string): Promise<Packument> {
    this.checkDeadline(`the metadata of "${name}"`);
    let pending = this.packuments.get(name);
    if (!pending) {
      pending = this.registry.packument(name);
      this.packuments.set(name, pending);
    }
    return pending;
  }

  /** The files of `name` at the version `range` resolves to. */
  async resolve(name: string, range: string): Promise<PackageFiles> {
    const packument = await this.packument(name);
    return this.files(packument, pickVersion(packument, name, range));
  }

  /** The files of one version, fetched and extracted once per build. */
  files(packument: Packument, version: string): Promise<PackageFiles> {
    const key = `${packument.name}@${version}`;
    let pending = this.packages.get(key);
    if (!pending) {
      if (this.packages.size >= this.limits.packages) {
        throw new PackageError(
          "too_large",
          `The package needs more than ${this.limits.packages} packages (itself and its dependencies; the limit).`,
        );
      }
      pending = this.download(packument, version);
      this.packages.set(key, pending);
    }
    return pending;
  }

  private async download(packument: Packument, version: string): Promise<PackageFiles> {
    const meta = packument.versions[version];
    if (!meta) throw unknownVersion(packument, packument.name, version);
    const label = `${packument.name}@${version}`;
    this.checkDeadline(`the tarball of ${label}`);
    const tarball = await this.registry.tarball(meta);
    const files = await extractTarball(tarball, this.limits, `The tarball of ${label}`);
    for (const bytes of files.values()) this.unpacked += bytes.byteLength;
    if (this.unpacked > this.limits.totalUnpackedBytes) {
      throw new PackageError(
        "too_large",
        `The package and its dependencies are over ${this.limits.totalUnpackedBytes} bytes of code (the limit).`,
      );
    }
    const manifest = files.get("package.json");
    const json = manifest && parseJson(manifest);
    if (!json) throw new PackageError("invalid_package", `${label} has no readable package.json.`);
    return { name: packument.name, version, files, json };
  }

  private checkDeadline(what: string): void {
    if (Date.now() > this.deadline) {
      throw new PackageError(
        "registry_unavailable",
        `Fetching the package took longer than ${this.limits.linkTimeoutMs} ms; gave up before ${what}.`,
      );
    }
  }
}

/** The version `range` (an exact version, a range or a dist-tag) picks in the packument. */
export function pickVersion(packument: Packument, name: string, range: string): string {
  const tagged = packument["dist-tags"][range];
  if (tagged && packument.versions[tagged]) return tagged;
  const versions = Object.keys(packument.versions);
  if (semver.valid(range) && packument.versions[range]) return range;
  // Like npm: `latest` when it satisfies the range, else the highest version that does.
  const latest = packument["dist-tags"].latest;
  if (semver.validRange(range) !== null) {
    if (latest && semver.satisfies(latest, range)) return latest;
    const best = semver.maxSatisfying(versions, range);
    if (best) return best;
  }
  throw unknownVersion(packument, name, range);
}

function unknownVersion(packument: Packument, name: string, range: string): PackageError {
  const recent = Object.keys(packument.versions)
    .filter((version) => semver.valid(version))
    .sort(semver.rcompare)
    .slice(0, 5);
  const tags = Object.entries(packument["dist-tags"])
    .map(([tag, version]) => `${tag} → ${version}`)
    .join(", ");
  return new PackageError(
    "unknown_version",
    `Package "${name}" has no version matching "${range}". Latest versions: ${recent.join(", ") || "none"}${tags ? `; tags: ${tags}` : ""}.`,
  );
}
