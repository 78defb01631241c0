/**
 * A client of the npm registry protocol: a package's metadata (the abbreviated packument) and its
 * tarballs, checked against the integrity the registry published. Every request is bounded in time
 * and size; whatever goes wrong becomes a PackageError that says what, never a hang or a 500.
 */

import { PackageError } from "./errors";
import type { PackageLimits } from "./limits";

export interface PackumentVersion {
  name: string;
  version: string;
  dist: { tarball: string; integrity?: string; shasum?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface Packument {
  name: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, PackumentVersion>;
}

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

export class RegistryClient {
  readonly url: string;
  /** The URL as messages show it: credentials in it (`https://user:token@host/`) never reach an answer. */
  readonly shown: string;

  constructor(
    url: string,
    private readonly limits: PackageLimits,
  ) {
    this.url = url.endsWith("/") ? url : `${url}/`;
    const parsed = URL.canParse(this.url) ? new URL(this.url) : undefined;
    if (parsed) {
      parsed.username = "";
      parsed.password = "";
    }
    // A misconfigured registry fails each package import (a `resource` error), never the service.
    this.shown = parsed?.href ?? "NPM_REGISTRY, which is not a URL";
  }

  async packument(name: string): Promise<Packument> {
    const url = `${this.url}${name.replace("/", "%2f")}`;
    const response = await this.get(url, `the metadata of "${name}"`, {
      accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8",
    });
    if (response.status === 404) {
      await response.body?.cancel();
      throw new PackageError("unknown_package", `Cannot find package "${name}" in the registry (${this.shown}).`);
    }
    const bytes = await this.read(response, this.limits.packumentBytes, `the metadata of "${name}"`);
    let packument: Packument;
    try {
      packument = JSON.parse(new TextDecoder().decode(bytes)) as Packument;
    } catch {
      throw new PackageError(
        "registry_unavailable",
        `The registry answered the metadata of "${name}" with something that is not JSON.`,
      );
    }
    if (typeof packument?.versions !== "object" || packument.versions === null) {
      throw new PackageError("unknown_package", `The registry has no versions of "${name}".`);
    }
    packument["dist-tags"] ??= {};
    return packument;
  }

  /** The tarball of one version, its integrity checked. */
  async tarball(version: PackumentVersion): Promise<Uint8Array> {
    const label = `the tarball of ${version.name}@${version.version}`;
    if (!URL.canParse(version.dist.tarball, this.url)) {
      throw new PackageError("invalid_package", `The registry lists ${label} at something that is not a URL.`);
    }
    const url = new URL(version.dist.tarball, this.url);
    // Tarballs come from the configured registry only: its metadata must not send the host elsewhere.
    if (url.origin !== new URL(this.url).origin) {
      throw new PackageError(
        "invalid_package",
        `The registry lists ${label} at another origin (${url.origin}); only ${new URL(this.url).origin} is fetched.`,
      );
    }
    const response = await this.get(url.href, label);
    const bytes = await this.read(response, this.limits.tarballBytes, label);
    await verifyIntegrity(bytes, version, label);
    return bytes;
  }

  private async get(url: string, label: string, headers: Record<string, string> = {}): Promise<Response> {
    if (!URL.canParse(url)) {
      throw new PackageError(
        "registry_unavailable",
        `The registry URL (NPM_REGISTRY) is not a URL; cannot fetch ${label}.`,
      );
    }
    let response: Response;
    try {
      response = await fetch(url, {
        headers,
        signal: AbortSignal.timeout(this.limits.fetchTimeoutMs),
        redirect: "follow",
      });
    } catch (error) {
      throw unavailable(label, error, this.limits.fetchTimeoutMs);
    }
    if (response.status === 404) return response;
    if (!response.ok) {
      await response.body?.cancel();
      throw new PackageError("registry_unavailable", `The registry answered ${response.status} for ${label}.`);
    }
    return response;
  }

  /** The body, at most `maxBytes` (a longer one is a `too_large` error, read no further). */
  private async read(response: Response, maxBytes: number, label: string): Promise<Uint8Array> {
    const declared = Number(response.headers.get("content-length"));
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw tooLarge(label, maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body?.getReader();
    if (!reader) return new Uint8Array();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel();
          throw tooLarge(label, maxBytes);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof PackageError) throw error;
      throw unavailable(label, error, this.limits.fetchTimeoutMs);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    return bytes;
  }
}

async function verifyIntegrity(bytes: Uint8Array, version: PackumentVersion, label: string): Promise<void> {
  const { integrity, shasum } = version.dist;
  const sri = integrity?.split(/\s+/).find((entry) => entry.startsWith("sha512-"));
  let expected: string | undefined;
  let actual: string | undefined;
  if (sri) {
    expected = sri.slice(7);
    actual = toBase64(await crypto.subtle.digest("SHA-512", bytes as Uint8Array<ArrayBuffer>));
  } else if (shasum) {
    expected = shasum.toLowerCase();
    actual = toHex(await crypto.subtle.digest("SHA-1", bytes as Uint8Array<ArrayBuffer>));
  }
  if (expected !== actual) {
    throw new PackageError(
      "invalid_package",
      `${capitalize(label)} does not match the integrity the registry published for it.`,
    );
  }
}

function unavailable(label: string, error: unknown, timeoutMs: number): PackageError {
  const name = (error as { name?: string })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new PackageError("registry_unavailable", `The registry did not answer for ${label} within ${timeoutMs} ms.`);
  }
  // Credentials in a URL the platform quotes stay out of the answer.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\/\/[^/@\s]+@/g, "//");
  return new PackageError("registry_unavailable", `The registry could not be reached for ${label}: ${message}`);
}

function tooLarge(label: string, maxBytes: number): PackageError {
  return new PackageError("too_large", `${capitalize(label)} is over the ${maxBytes}-byte limit.`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function toBase64(buffer: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function toHex(buffer: ArrayBuffer): string {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
