/**
 * `$.db`: a small document store on D1, scoped to one tenant. Documents are JSON in one table
 * (migrations/0001_documents.sql); every statement binds the tenant from the caller's key and every
 * value a snippet supplies, field paths included, as a parameter, so no input is ever SQL.
 */

import { invalid, RuntimeError } from "./errors";

export type Where = Record<string, unknown>;
export type OrderBy = string | { field: string; direction?: "asc" | "desc" };

export interface DbListOptions {
  where?: Where;
  limit?: number;
  orderBy?: OrderBy | OrderBy[];
}

export interface DbEntry {
  id: string;
  doc: unknown;
}

const COLLECTION = /^[A-Za-z0-9_.-]{1,64}$/;
const FIELD_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$]*$|^\d+$/;
const MAX_ID_LENGTH = 512;
const MAX_LIST = 1000;
const DEFAULT_LIST = 100;
export const MAX_DOC_BYTES = 1024 * 1024;
const OPERATORS: Record<string, string> = { $eq: "=", $ne: "!=", $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" };

export class TenantDb {
  constructor(
    private readonly db: D1Database,
    private readonly tenant: string,
  ) {}

  async put(collection: unknown, id: unknown, doc: unknown): Promise<{ id: string }> {
    const name = collectionName(collection, "put");
    const key = documentId(id, "put");
    const json = documentJson(doc);
    const now = Date.now();
    await this.db
      .prepare(
        `INSERT INTO documents (tenant, collection, id, doc, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (tenant, collection, id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
      )
      .bind(this.tenant, name, key, json, now)
      .run();
    return { id: key };
  }

  async get(collection: unknown, id: unknown): Promise<unknown> {
    const row = await this.db
      .prepare("SELECT doc FROM documents WHERE tenant = ?1 AND collection = ?2 AND id = ?3")
      .bind(this.tenant, collectionName(collection, "get"), documentId(id, "get"))
      .first<{ doc: string }>();
    return row ? JSON.parse(row.doc) : null;
  }

  async delete(collection: unknown, id: unknown): Promise<boolean> {
    const result = await this.db
      .prepare("DELETE FROM documents WHERE tenant = ?1 AND collection = ?2 AND id = ?3")
      .bind(this.tenant, collectionName(collection, "delete"), documentId(id, "delete"))
      .run();
    return result.meta.changes > 0;
  }

  async list(collection: unknown, options: unknown = {}): Promise<DbEntry[]> {
    const { where = {}, limit = DEFAULT_LIST, orderBy } = (options ?? {}) as DbListOptions;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
      throw invalid(`db.list: limit must be an integer from 1 to ${MAX_LIST}, got ${JSON.stringify(limit)}.`);
    }
    const params: unknown[] = [this.tenant, collectionName(collection, "list")];
    const param = (value: unknown) => {
      params.push(value);
      return `?${params.length}`;
    };
    const conditions = whereClauses(where, param);
    const order = orderClauses(orderBy, param);
    const sql =
      `SELECT id, doc FROM documents WHERE tenant = ?1 AND collection = ?2` +
      conditions.map((condition) => ` AND ${condition}`).join("") +
      ` ORDER BY ${[...order, "id ASC"].join(", ")} LIMIT ${param(limit)}`;
    const { results } = await this.db
      .prepare(sql)
      .bind(...params)
      .all<{ id: string; doc: string }>();
    return results.map((row) => ({ id: row.id, doc: JSON.parse(row.doc) }));
  }
}

function collectionName(collection: unknown, call: string): string {
  if (typeof collection !== "string" || !COLLECTION.test(collection)) {
    throw invalid(
      `db.${call}: a collection name is 1-64 letters, digits, "_", "." or "-", got ${JSON.stringify(collection)}.`,
    );
  }
  return collection;
}

function documentId(id: unknown, call: string): string {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw invalid(
      `db.${call}: an id is a non-empty string of up to ${MAX_ID_LENGTH} characters, got ${JSON.stringify(id)}.`,
    );
  }
  return id;
}

function documentJson(doc: unknown): string {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw invalid(
      `db.put: a document is a JSON object, got ${Array.isArray(doc) ? "an array" : doc === null ? "null" : typeof doc}.`,
    );
  }
  let json: string;
  try {
    json = JSON.stringify(doc);
  } catch (error) {
    throw invalid(
      `db.put: the document is not JSON-serialisable (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const bytes = new TextEncoder().encode(json).byteLength;
  if (bytes > MAX_DOC_BYTES) {
    throw new RuntimeError(
      "E_TOO_LARGE",
      `db.put: the document is ${bytes} bytes of JSON; the limit is ${MAX_DOC_BYTES}.`,
    );
  }
  return json;
}

/** `"a.b.0"` → the JSON path `$.a.b[0]`, bound as a parameter. */
function jsonPath(field: unknown, call: string): string {
  const segments = typeof field === "string" ? field.split(".") : [];
  if (segments.length === 0 || !segments.every((segment) => FIELD_SEGMENT.test(segment))) {
    throw invalid(`db.${call}: ${JSON.stringify(field)} is not a field path such as "name" or "address.city".`);
  }
  return `$${segments.map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`)).join("")}`;
}

function whereClauses(where: unknown, param: (value: unknown) => string): string[] {
  if (typeof where !== "object" || where === null || Array.isArray(where)) {
    throw invalid('db.list: where is an object of field conditions, e.g. { status: "open", "size": { $gt: 2 } }.');
  }
  const clauses: string[] = [];
  for (const [field, condition] of Object.entries(where)) {
    const value = `json_extract(doc, ${param(jsonPath(field, "list"))})`;
    if (condition === null) {
      clauses.push(`${value} IS NULL`);
    } else if (typeof condition === "object" && !Array.isArray(condition)) {
      for (const [operator, operand] of Object.entries(condition)) {
        if (operator === "$in") {
          if (!Array.isArray(operand) || operand.length === 0 || operand.length > 100 || !operand.every(isScalar)) {
            throw invalid(`db.list: ${field}.$in takes an array of 1-100 strings, numbers or booleans.`);
          }
          clauses.push(`${value} IN (${operand.map((item) => param(scalar(item))).join(", ")})`);
        } else {
          const sql = OPERATORS[operator];
          if (!sql || !isScalar(operand)) {
            throw invalid(
              `db.list: ${field} has an unsupported condition ${JSON.stringify(operator)}; use one of ${Object.keys(OPERATORS).join(", ")}, $in with a string, number or boolean.`,
            );
          }
          clauses.push(`${value} ${sql} ${param(scalar(operand))}`);
        }
      }
    } else if (isScalar(condition)) {
      clauses.push(`${value} = ${param(scalar(condition))}`);
    } else {
      throw invalid(
        `db.list: the condition on ${field} must be a string, number, boolean, null or an operator object.`,
      );
    }
  }
  return clauses;
}

function orderClauses(orderBy: unknown, param: (value: unknown) => string): string[] {
  if (orderBy === undefined) return ["updated_at DESC"];
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  return list.map((entry) => {
    const spec =
      typeof entry === "string"
        ? { field: entry.replace(/^-/, ""), direction: entry.startsWith("-") ? "desc" : "asc" }
        : entry;
    const { field, direction = "asc" } = (spec ?? {}) as { field?: unknown; direction?: unknown };
    if (direction !== "asc" && direction !== "desc") {
      throw invalid(`db.list: orderBy direction must be "asc" or "desc", got ${JSON.stringify(direction)}.`);
    }
    return `json_extract(doc, ${param(jsonPath(field, "list"))}) ${direction.toUpperCase()}`;
  });
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean"
  );
}

/** JSON true/false read back by json_extract as 1/0, so booleans compare as those. */
function scalar(value: string | number | boolean): string | number {
  return typeof value === "boolean" ? (value ? 1 : 0) : value;
}
