/**
 * Reads an npm tarball in the host: gunzip through DecompressionStream, then the tar format (ustar,
 * with pax and GNU long names). Bounded while it reads: decompressed bytes and entries, so a gzip
 * bomb or a million-file archive stops early. Only the files a bundle can use are kept (code and
 * JSON); links are never followed and paths never leave the package.
 */

import { PackageError } from "./errors";

export interface TarballLimits {
  unpackedBytes: number;
  files: number;
}

/** Files a bundle may read: everything else (docs, types, maps, binaries) is counted, not kept. */
const KEPT = /\.(?:js|mjs|cjs|jsx|ts|mts|cts|tsx|json)$/;

/** The package's files by path (the archive's top folder, usually `package/`, removed). */
export async function extractTarball(
  gzipped: Uint8Array,
  limits: TarballLimits,
  label: string,
): Promise<Map<string, Uint8Array>> {
  const tar = await gunzip(gzipped, limits.unpackedBytes, label);
  const files = new Map<string, Uint8Array>();
  let offset = 0;
  let entries = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    if (!checksumMatches(header)) throw invalid(label, `a header at byte ${offset} is corrupt`);
    const size = readSize(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const bodyStart = offset + 512;
    const bodyEnd = bodyStart + size;
    if (size < 0 || bodyEnd > tar.length) throw invalid(label, "an entry runs past the end of the archive");
    const body = tar.subarray(bodyStart, bodyEnd);
    offset = bodyStart + Math.ceil(size / 512) * 512;
    if (++entries > limits.files) {
      throw new PackageError("too_large", `${label} has more than ${limits.files} entries (the limit).`);
    }
    if (type === "L") {
      longName = text(body);
      continue;
    }
    if (type === "x") {
      paxPath = paxRecord(body, "path") ?? paxPath;
      continue;
    }
    const name = paxPath ?? longName ?? ustarName(header);
    longName = undefined;
    paxPath = undefined;
    // Regular files only: directories are implied, links are never followed.
    if (type !== "0" && type !== "\0") continue;
    const path = packagePath(name);
    if (path && KEPT.test(path)) files.set(path, body.slice());
  }
  return files;
}

async function gunzip(bytes: Uint8Array, maxBytes: number, label: string): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new PackageError("too_large", `${label} is over ${maxBytes} bytes once decompressed (the limit).`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof PackageError) throw error;
    throw invalid(label, `it is not a gzip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  const tar = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    tar.set(chunk, at);
    at += chunk.byteLength;
  }
  return tar;
}

/** `package/lib/a.js` → `lib/a.js`; undefined for a path that would leave the package. */
function packagePath(name: string): string | undefined {
  const parts = name
    .replace(/\\/g, "/")
    .split("/")
    .filter((part) => part !== "" && part !== ".");
  if (parts.length < 2 || parts.includes("..")) return undefined;
  return parts.slice(1).join("/");
}

function ustarName(header: Uint8Array): string {
  const name = text(header.subarray(0, 100));
  const ustar = text(header.subarray(257, 262)) === "ustar";
  const prefix = ustar ? text(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** An octal size, or GNU base-256 when the high bit is set. */
function readSize(field: Uint8Array): number {
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let index = 1; index < field.length; index++) value = value * 256 + (field[index] ?? 0);
    return value;
  }
  const octal = text(field).trim();
  return octal ? Number.parseInt(octal, 8) : 0;
}

function checksumMatches(header: Uint8Array): boolean {
  let sum = 0;
  for (let index = 0; index < 512; index++) sum += index >= 148 && index < 156 ? 32 : (header[index] ?? 0);
  return Number.parseInt(text(header.subarray(148, 156)).trim(), 8) === sum;
}

/** One `key=value` record of a pax header (`<length> <key>=<value>\n` each, lengths in bytes). */
function paxRecord(body: Uint8Array, key: string): string | undefined {
  let at = 0;
  let found: string | undefined;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number.parseInt(text(body.subarray(at, space)), 10);
    if (!(length > 0) || at + length > body.length) break;
    const record = new TextDecoder().decode(body.subarray(space + 1, at + length - 1));
    const equals = record.indexOf("=");
    if (record.slice(0, equals) === key) found = record.slice(equals + 1);
    at += length;
  }
  return found;
}

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function invalid(label: string, why: string): PackageError {
  return new PackageError("invalid_package", `${label} could not be read: ${why}.`);
}
