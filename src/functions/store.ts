/**
 * Stored functions in D1 (migrations/0003_functions.sql): every query is scoped by the caller's
 * tenant, so one tenant can neither see, run nor remove another's functions. A version is the
 * SHA-256 of its content, so storing the same content twice keeps one row.
 */

import { toHex } from "../compile/hash";
import type { Language } from "../compile/input";

export interface FunctionVersion {
  version: string;
  createdAt: string;
  language: Language;
  bytes: number;
}

export interface StoredCode extends FunctionVersion {
  name: string;
  code: string;
}

export interface FunctionSummary {
  name: string;
  latest: string;
  versions: number;
  updatedAt: string;
}

/** The version id of some content: hex SHA-256 of `[code, language]` as JSON. */
export async function versionOf(code: string, language: Language): Promise<string> {
  const content = new TextEncoder().encode(JSON.stringify([code, language]));
  return toHex(await crypto.subtle.digest("SHA-256", content));
}

/**
 * Stores a version and makes it the function's latest; `created` is false when that content was
 * already stored (its row is kept, with its first `createdAt`).
 */
export async function storeVersion(
  db: D1Database,
  tenant: string,
  name: string,
  code: string,
  language: Language,
): Promise<{ version: string; createdAt: string; created: boolean }> {
  const version = await versionOf(code, language);
  const now = Date.now();
  const bytes = new TextEncoder().encode(code).byteLength;
  // One statement, so concurrent stores of one name still get distinct, increasing `seq`s.
  const row = await db
    .prepare(
      `INSERT INTO functions (tenant, name, version, code, language, bytes, seq, created_at, stored_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, COALESCE(MAX(seq), 0) + 1, ?7, ?7 FROM functions WHERE tenant = ?1 AND name = ?2
       ON CONFLICT (tenant, name, version) DO UPDATE SET seq = excluded.seq, stored_at = excluded.stored_at
       RETURNING created_at`,
    )
    .bind(tenant, name, version, code, language, bytes, now)
    .first<{ created_at: number }>();
  const createdAt = row?.created_at ?? now;
  return { version, createdAt: iso(createdAt), created: createdAt === now };
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
      "SELECT version, created_at, language, bytes FROM functions WHERE tenant = ?1 AND name = ?2 ORDER BY seq DESC",
    )
    .bind(tenant, name)
    .all<{ version: string; created_at: number; language: Language; bytes: number }>();
  return results.map((row) => ({
    version: row.version,
    createdAt: iso(row.created_at),
    language: row.language,
    bytes: row.bytes,
  }));
}

/** One version's code, or the latest's when `version` is absent; undefined when there is none. */
export async function readVersion(
  db: D1Database,
  tenant: string,
  name: string,
  version?: string,
): Promise<StoredCode | undefined> {
  const statement =
    version === undefined
      ? db
          .prepare(
            "SELECT version, code, language, bytes, created_at FROM functions WHERE tenant = ?1 AND name = ?2 ORDER BY seq DESC LIMIT 1",
          )
          .bind(tenant, name)
      : db
          .prepare(
            "SELECT version, code, language, bytes, created_at FROM functions WHERE tenant = ?1 AND name = ?2 AND version = ?3",
          )
          .bind(tenant, name, version);
  const row = await statement.first<{
    version: string;
    code: string;
    language: Language;
    bytes: number;
    created_at: number;
  }>();
  if (!row) return undefined;
  return {
    name,
    version: row.version,
    code: row.code,
    language: row.language,
    bytes: row.bytes,
    createdAt: iso(row.created_at),
  };
}

/** Removes every version of a function; false when there was none. */
export async function deleteFunction(db: D1Database, tenant: string, name: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM functions WHERE tenant = ?1 AND name = ?2").bind(tenant, name).run();
  return result.meta.changes > 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
