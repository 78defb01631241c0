/**
 * Stored functions in D1 (migrations/0003 and 0004): every query is scoped by the caller's tenant,
 * so one tenant can neither see, run nor remove another's functions. A version is the SHA-256 of
 * its content, so storing the same content twice keeps one row. A tenant keeps at most
 * `FunctionLimits.functions` functions, and each function its newest `versions` versions.
 */

import type { FunctionLimits } from "../../shared/limits";
import { toHex } from "../compile/hash";
import type { Language, SubmittedModules } from "../compile/input";
import { collectGarbage, contentsOf, type FileContent, readFiles, sha256, writeFiles } from "./files";

export interface FunctionVersion {
  version: string;
  createdAt: string;
  language: Language;
  /** Bytes of all its files together. */
  bytes: number;
  /** A multi-file version: the path of its main module. */
  mainModule?: string;
}

/** What a version runs: one file, or a main module (`code`) with the other files. */
export interface FunctionContent {
  code: string;
  language: Language;
  modules?: SubmittedModules;
}

export interface StoredCode extends FunctionVersion, FunctionContent {
  name: string;
}

export interface FunctionSummary {
  name: string;
  latest: string;
  versions: number;
  updatedAt: string;
}

export type StoreOutcome =
  | {
      type: "stored";
      version: string;
      createdAt: string;
      created: boolean;
      /** Older versions deleted to stay within `FunctionLimits.versions`. */
      pruned: string[];
    }
  /** The tenant already has `FunctionLimits.functions` functions and this name is a new one. */
  | { type: "too-many-functions"; count: number };

/**
 * The version id of some content: hex SHA-256 of `[code, language]` as JSON for one file; for
 * several, of `["modules", language, main, [[path, sha256], …]]` with every file's hash, by path.
 */
export async function versionOf(content: FunctionContent, files?: FileContent[]): Promise<string> {
  const { code, language, modules } = content;
  let manifest: unknown = [code, language];
  if (modules) {
    const main = { path: modules.main, hash: await sha256(new TextEncoder().encode(code)) };
    const all = [main, ...(files ?? (await contentsOf(modules)))].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
    manifest = ["modules", language, modules.main, all.map((file) => [file.path, file.hash])];
  }
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(manifest))));
}

/**
 * Stores a version and makes it the function's latest; `created` is false when that content was
 * already stored (its row is kept, with its first `createdAt`). Refuses a new name past the
 * tenant's function limit, and deletes the oldest versions past the per-function limit.
 */
export async function storeVersion(
  db: D1Database,
  tenant: string,
  name: string,
  content: FunctionContent,
  limits: FunctionLimits,
): Promise<StoreOutcome> {
  const files = content.modules ? await contentsOf(content.modules) : [];
  const version = await versionOf(content, files);
  const now = Date.now();
  const bytes =
    new TextEncoder().encode(content.code).byteLength + files.reduce((sum, file) => sum + file.bytes.byteLength, 0);
  // One statement, so concurrent stores of one name still get distinct, increasing `seq`s; it
  // inserts nothing (and returns no row) when the name is new and the tenant is at its limit.
  const insert = db
    .prepare(
      `INSERT INTO functions (tenant, name, version, code, language, bytes, seq, created_at, stored_at, main_module)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, COALESCE(MAX(seq), 0) + 1, ?7, ?7, ?8 FROM functions WHERE tenant = ?1 AND name = ?2
       HAVING COUNT(*) > 0 OR (SELECT COUNT(DISTINCT name) FROM functions WHERE tenant = ?1) < ?9
       ON CONFLICT (tenant, name, version) DO UPDATE SET seq = excluded.seq, stored_at = excluded.stored_at
       RETURNING created_at`,
    )
    .bind(
      tenant,
      name,
      version,
      content.code,
      content.language,
      bytes,
      now,
      content.modules?.main ?? null,
      limits.functions,
    );
  const prune = db
    .prepare(
      `DELETE FROM functions WHERE tenant = ?1 AND name = ?2 AND version NOT IN
         (SELECT version FROM functions WHERE tenant = ?1 AND name = ?2 ORDER BY seq DESC LIMIT ?3)
       RETURNING version`,
    )
    .bind(tenant, name, limits.versions);
  // Files first, in the same transaction: a stored version never lacks one.
  const fileStatements = writeFiles(db, tenant, name, version, files);
  const results = await db.batch<{ created_at?: number; version?: string }>([...fileStatements, insert, prune]);
  const inserted = results[fileStatements.length]?.results[0];
  const pruned = (results[fileStatements.length + 1]?.results ?? []).map((row) => row.version as string);
  // Files of pruned versions, or of a version refused at the limit, are no one's any more.
  if (pruned.length > 0 || (files.length > 0 && !inserted)) await db.batch(collectGarbage(db, tenant));
  if (!inserted) {
    const count = await db
      .prepare("SELECT COUNT(DISTINCT name) AS count FROM functions WHERE tenant = ?1")
      .bind(tenant)
      .first<number>("count");
    return { type: "too-many-functions", count: count ?? limits.functions };
  }
  const createdAt = inserted.created_at ?? now;
  return { type: "stored", version, createdAt: iso(createdAt), created: createdAt === now, pruned };
}

export async function listFunctions(db: D1Database, tenant: string): Promise<FunctionSummary[]> {
  const { results } = await db
    .prepare(
      `SELECT f.name, f.version AS latest, s.versions, s.updated_at
       FROM (SELECT name, COUNT(*) AS versions, MAX(seq) AS seq, MAX(stored_at) AS updated_at
             FROM functions WHERE tenant = ?1 GROUP BY name) s
       JOIN functions f ON f.tenant = ?1 AND f.name = s.name AND f.seq = s.seq
       ORDER BY f.name`,
    )
    .bind(tenant)
    .all<{ name: string; latest: string; versions: number; updated_at: number }>();
  return results.map((row) => ({
    name: row.name,
    latest: row.latest,
    versions: row.versions,
    updatedAt: iso(row.updated_at),
  }));
}

/** A function's versions, newest first; empty when there is no such function. */
export async function listVersions(db: D1Database, tenant: string, name: string): Promise<FunctionVersion[]> {
  const { results } = await db
    .prepare(
      "SELECT version, created_at, language, bytes, main_module FROM functions WHERE tenant = ?1 AND name = ?2 ORDER BY seq DESC",
    )
    .bind(tenant, name)
    .all<{ version: string; created_at: number; language: Language; bytes: number; main_module: string | null }>();
  return results.map((row) => ({
    version: row.version,
    createdAt: iso(row.created_at),
    language: row.language,
    bytes: row.bytes,
    ...(row.main_module !== null && { mainModule: row.main_module }),
  }));
}

/** Whether the tenant has a function of this name. */
export async function functionExists(db: D1Database, tenant: string, name: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS found FROM functions WHERE tenant = ?1 AND name = ?2 LIMIT 1")
    .bind(tenant, name)
    .first<number>("found");
  return row === 1;
}

/**
 * One version's content, or the latest's when `version` is absent; undefined when there is none.
 * A multi-file version comes with its files, WebAssembly as bytes.
 */
export async function readVersion(
  db: D1Database,
  tenant: string,
  name: string,
  version?: string,
): Promise<StoredCode | undefined> {
  const columns = "version, code, language, bytes, created_at, main_module";
  const statement =
    version === undefined
      ? db
          .prepare(`SELECT ${columns} FROM functions WHERE tenant = ?1 AND name = ?2 ORDER BY seq DESC LIMIT 1`)
          .bind(tenant, name)
      : db
          .prepare(`SELECT ${columns} FROM functions WHERE tenant = ?1 AND name = ?2 AND version = ?3`)
          .bind(tenant, name, version);
  const row = await statement.first<{
    version: string;
    code: string;
    language: Language;
    bytes: number;
    created_at: number;
    main_module: string | null;
  }>();
  if (!row) return undefined;
  const stored: StoredCode = {
    name,
    version: row.version,
    code: row.code,
    language: row.language,
    bytes: row.bytes,
    createdAt: iso(row.created_at),
  };
  if (row.main_module === null) return stored;
  // Pruned or deleted meanwhile: as if the version did not exist.
  const files = await readFiles(db, tenant, name, row.version);
  if (!files) return undefined;
  const modules: SubmittedModules = { main: row.main_module, sources: {}, wasm: {} };
  const decoder = new TextDecoder();
  for (const file of files) {
    if (file.path.endsWith(".wasm")) modules.wasm[file.path] = file.bytes;
    else modules.sources[file.path] = decoder.decode(file.bytes);
  }
  return { ...stored, mainModule: row.main_module, modules };
}

/** Removes every version of a function, its files and its run logs; false when there was none. */
export async function deleteFunction(db: D1Database, tenant: string, name: string): Promise<boolean> {
  const [result] = await db.batch([
    db.prepare("DELETE FROM functions WHERE tenant = ?1 AND name = ?2").bind(tenant, name),
    db.prepare("DELETE FROM function_runs WHERE tenant = ?1 AND name = ?2").bind(tenant, name),
    ...collectGarbage(db, tenant),
  ]);
  return (result?.meta.changes ?? 0) > 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
