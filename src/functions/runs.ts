/**
 * The logs of a function's last runs (`GET /functions/:name/logs`): every invocation and HTTP
 * request is recorded after it answers, with its logs cut to `logRunBytes`, and only the newest
 * `logRuns` runs per function are kept.
 */

import type { FunctionLimits } from "../../shared/limits";
import type { LogEntry } from "../../shared/protocol";

export interface RunRecord {
  /** The request id of the run (the `x-request-id` of its answer). */
  run: string;
  version: string;
  /** `invoke` for POST /functions/:name/invoke, `http` for /fn/:name/*. */
  via: "invoke" | "http";
  at: string;
  /** The HTTP status answered (`/fn` runs). */
  status?: number;
  /** What went wrong, when the run failed. */
  error?: { kind: string; name: string; message: string };
  logs: LogEntry[];
  /** Log entries not kept because the run's logs were over `logRunBytes`. */
  dropped: number;
}

/** Stores one run's logs and drops the function's runs beyond the newest `logRuns`. */
export async function recordRun(
  db: D1Database,
  tenant: string,
  name: string,
  record: Omit<RunRecord, "dropped" | "at">,
  limits: FunctionLimits,
): Promise<void> {
  const { kept, dropped } = boundLogs(record.logs, limits.logRunBytes);
  const error = record.error && {
    kind: record.error.kind,
    name: record.error.name,
    message: record.error.message.slice(0, 1024),
  };
  await db.batch([
    db
      .prepare(
        `INSERT INTO function_runs (tenant, name, run, version, via, at, status, error, logs, dropped)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
      )
      .bind(
        tenant,
        name,
        record.run,
        record.version,
        record.via,
        Date.now(),
        record.status ?? null,
        error ? JSON.stringify(error) : null,
        JSON.stringify(kept),
        dropped,
      ),
    db
      .prepare(
        `DELETE FROM function_runs WHERE tenant = ?1 AND name = ?2 AND id <=
           (SELECT id FROM function_runs WHERE tenant = ?1 AND name = ?2 ORDER BY id DESC LIMIT 1 OFFSET ?3)`,
      )
      .bind(tenant, name, limits.logRuns),
  ]);
}

/** A function's recorded runs, newest first. */
export async function listRuns(db: D1Database, tenant: string, name: string, limit: number): Promise<RunRecord[]> {
  const { results } = await db
    .prepare(
      `SELECT run, version, via, at, status, error, logs, dropped FROM function_runs
       WHERE tenant = ?1 AND name = ?2 ORDER BY id DESC LIMIT ?3`,
    )
    .bind(tenant, name, limit)
    .all<{
      run: string;
      version: string;
      via: RunRecord["via"];
      at: number;
      status: number | null;
      error: string | null;
      logs: string;
      dropped: number;
    }>();
  return results.map((row) => ({
    run: row.run,
    version: row.version,
    via: row.via,
    at: new Date(row.at).toISOString(),
    ...(row.status !== null && { status: row.status }),
    ...(row.error !== null && { error: JSON.parse(row.error) }),
    logs: JSON.parse(row.logs) as LogEntry[],
    dropped: row.dropped,
  }));
}

/**
 * The entries that fit in `maxBytes` of JSON, in order; an entry that does not fit is cut to the
 * room left (and counted as kept) when there is room for some of it, and the rest are dropped.
 */
export function boundLogs(logs: LogEntry[], maxBytes: number): { kept: LogEntry[]; dropped: number } {
  const encoder = new TextEncoder();
  const bytes = (text: string) => encoder.encode(text).byteLength;
  const kept: LogEntry[] = [];
  let used = 2;
  for (const entry of logs) {
    const size = bytes(JSON.stringify(entry)) + 1;
    if (used + size <= maxBytes) {
      kept.push(entry);
      used += size;
      continue;
    }
    const room = maxBytes - used - (size - bytes(JSON.stringify(entry.message))) - 32;
    if (room > 0) {
      // Characters take 1 to 6 bytes in JSON: cut by characters, then by the worst case if needed.
      let message = entry.message.slice(0, room);
      if (bytes(JSON.stringify(message)) > room) message = entry.message.slice(0, Math.floor(room / 6));
      kept.push({ ...entry, message: `${message}… [cut]` });
    }
    return { kept, dropped: logs.length - kept.length };
  }
  return { kept, dropped: 0 };
}
