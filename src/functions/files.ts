/**
 * The files of multi-file function versions (migrations/0004_function_modules.sql): each file is a
 * row pointing at its content by SHA-256, and each content is stored once per tenant, in chunks
 * below D1's 2 MB row limit. Contents no file refers to any more are deleted by `collectGarbage`.
 */

import { concatBytes } from "../bytes";
import { toHex } from "../compile/hash";
import type { SubmittedModules } from "../compile/input";

/** Bytes of one stored chunk: under D1's 2,000,000-byte limit on a row and a bound value. */
const CHUNK_BYTES = 1024 * 1024;

export interface FileContent {
  path: string;
  bytes: Uint8Array;
  /** Hex SHA-256 of `bytes`. */
  hash: string;
}

/** Every file of a multi-file version but the main module, with its bytes and hash, by path. */
export async function contentsOf(modules: SubmittedModules): Promise<FileContent[]> {
  const encoder = new TextEncoder();
  const files = [
    ...Object.entries(modules.sources).map(([path, text]) => ({ path, bytes: encoder.encode(text) })),
    ...Object.entries(modules.wasm).map(([path, bytes]) => ({ path, bytes })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return Promise.all(files.map(async (file) => ({ ...file, hash: await sha256(file.bytes) })));
}

export async function sha256(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * Statements that store a version's files: contents first (kept if already there), then the rows
 * naming them. Run in the same batch as the version's own row, so a version never lacks a file.
 */
export function writeFiles(
  db: D1Database,
  tenant: string,
  name: string,
  version: string,
  files: FileContent[],
): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  const blob = db.prepare("INSERT OR IGNORE INTO function_blobs (tenant, hash, chunk, data) VALUES (?1, ?2, ?3, ?4)");
  const row = db.prepare(
    "INSERT OR IGNORE INTO function_files (tenant, name, version, path, hash, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  );
  const seen = new Set<string>();
  for (const file of files) {
    if (!seen.has(file.hash)) {
      seen.add(file.hash);
      const chunks = Math.max(1, Math.ceil(file.bytes.byteLength / CHUNK_BYTES));
      for (let chunk = 0; chunk < chunks; chunk++) {
        const data = file.bytes.slice(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES);
        statements.push(blob.bind(tenant, file.hash, chunk, data.buffer));
      }
    }
    statements.push(row.bind(tenant, name, version, file.path, file.hash, file.bytes.byteLength));
  }
  return statements;
}

/** A version's files but the main module, by path; undefined when a content is missing. */
export async function readFiles(
  db: D1Database,
  tenant: string,
  name: string,
  version: string,
): Promise<{ path: string; bytes: Uint8Array }[] | undefined> {
  const [files, blobs] = await db.batch<Record<string, unknown>>([
    db
      .prepare("SELECT path, hash, bytes FROM function_files WHERE tenant = ?1 AND name = ?2 AND version = ?3")
      .bind(tenant, name, version),
    db
      .prepare(
        `SELECT hash, chunk, data FROM function_blobs WHERE tenant = ?1 AND hash IN
           (SELECT hash FROM function_files WHERE tenant = ?1 AND name = ?2 AND version = ?3)
         ORDER BY hash, chunk`,
      )
      .bind(tenant, name, version),
  ]);
  const chunks = new Map<string, Uint8Array[]>();
  for (const row of (blobs?.results ?? []) as { hash: string; data: unknown }[]) {
    const list = chunks.get(row.hash) ?? [];
    list.push(bytesOf(row.data));
    chunks.set(row.hash, list);
  }
  const result: { path: string; bytes: Uint8Array }[] = [];
  for (const file of (files?.results ?? []) as { path: string; hash: string; bytes: number }[]) {
    const bytes = concatBytes(chunks.get(file.hash) ?? []);
    if (bytes.byteLength !== file.bytes) return undefined;
    result.push({ path: file.path, bytes });
  }
  return result;
}

/** Statements removing contents that no file of the tenant refers to any more. */
export function collectGarbage(db: D1Database, tenant: string): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `DELETE FROM function_files WHERE tenant = ?1 AND NOT EXISTS
           (SELECT 1 FROM functions f WHERE f.tenant = ?1 AND f.name = function_files.name AND f.version = function_files.version)`,
      )
      .bind(tenant),
    db
      .prepare(
        "DELETE FROM function_blobs WHERE tenant = ?1 AND hash NOT IN (SELECT hash FROM function_files WHERE tenant = ?1)",
      )
      .bind(tenant),
  ];
}

/** D1 hands BLOBs back as an ArrayBuffer or, in some versions, an array of byte values. */
function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Uint8Array.from(data as number[]);
  return new Uint8Array();
}
