/**
 * Stored functions (issue 6): `POST /functions` keeps a named, versioned snippet (or set of
 * `modules`, JSON or multipart) once it compiles, within the tenant's `FUNCTION_LIMITS`;
 * `POST /functions/:name/invoke` runs its latest (or `?version=`) version through the same path as
 * `POST /execute` and answers the same object. Everything is scoped to the caller's tenant: another
 * tenant's function is indistinguishable from one that does not exist. Each run's logs are kept
 * for `GET /functions/:name/logs`.
 */

import { type Context, Hono } from "hono";
import { MODULE_LIMITS } from "../../../shared/limits";
import { describeType, ServiceError } from "../../errors";
import { execute } from "../../execute";
import { listRuns, type RunRecord, recordRun } from "../../functions/runs";
import {
  deleteFunction,
  type FunctionContent,
  functionExists,
  listFunctions,
  listVersions,
  readVersion,
  type StoredCode,
  storeVersion,
} from "../../functions/store";
import { executionJson } from "../../report";
import { getService } from "../../service";
import type { AuthEnv } from "../auth";
import { readJsonBody, readRequestBody } from "../read-body";
import { limitsForTier, parseExecuteRequest } from "../validate";
import { syntaxDiagnostic } from "./compile";
import { executeContext } from "./execute";

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^[0-9a-f]{64}$/;

export const functions = new Hono<AuthEnv>()
  .post("/", async (c) => {
    const { compiler, limits: serviceLimits, functionLimits } = getService(c.env);
    const limits = limitsForTier(serviceLimits, c.get("caller").tier);
    const body = await readRequestBody(c.req.raw, limits.bodyBytes, MODULE_LIMITS.bodyBytes);
    const request = parseExecuteRequest(body, limits);
    const name = parseName((body as Record<string, unknown>).name);
    const content: FunctionContent = {
      code: request.code,
      language: request.language,
      ...(request.modules && { modules: request.modules }),
    };
    // Stored to be run again (after restarts too): into the second-level store right away.
    const compiled = await compiler.compile(content, request.network, {
      persist: true,
      tenant: c.get("caller").tenant,
    });
    if (!compiled.ok) {
      const diagnostics = compiled.diagnostics.map(syntaxDiagnostic);
      const first = diagnostics[0];
      const where = first ? ` (${first.file ? `${first.file}:` : ""}${first.line}:${first.column})` : "";
      throw new ServiceError(
        "invalid_request",
        `${request.modules ? "`modules`" : "`code`"} does not compile, so it was not stored${first ? `: ${first.message}${where}` : ""}.`,
        { details: { diagnostics } },
      );
    }
    const stored = await storeVersion(c.env.DB, c.get("caller").tenant, name, content, functionLimits);
    if (stored.type === "too-many-functions") {
      throw new ServiceError(
        "limit_reached",
        `This tenant has ${stored.count} functions; the limit is ${functionLimits.functions} functions per tenant, so "${name}" was not created. Delete one (DELETE /functions/:name) or store a new version of an existing one.`,
        { details: { limit: "functions", max: functionLimits.functions, count: stored.count } },
      );
    }
    return c.json(
      {
        name,
        version: stored.version,
        createdAt: stored.createdAt,
        latest: true,
        ...(stored.pruned.length > 0 && { pruned: stored.pruned }),
        ...(request.warnings && { warnings: request.warnings }),
      },
      stored.created ? 201 : 200,
    );
  })
  .get("/", async (c) => c.json({ functions: await listFunctions(c.env.DB, c.get("caller").tenant) }))
  .get("/:name", async (c) => {
    const name = parseName(c.req.param("name"));
    const versions = await listVersions(c.env.DB, c.get("caller").tenant, name);
    const latest = versions[0];
    if (!latest) throw missing(name);
    return c.json({ name, latest: latest.version, versions });
  })
  .get("/:name/versions/:version", async (c) => {
    const name = parseName(c.req.param("name"));
    const version = parseVersion(c.req.param("version"));
    const stored = await readVersion(c.env.DB, c.get("caller").tenant, name, version);
    if (!stored) throw missing(name, version);
    return c.json(describeVersion(stored));
  })
  .get("/:name/logs", async (c) => {
    const name = parseName(c.req.param("name"));
    const { functionLimits } = getService(c.env);
    const limit = parseLimit(c.req.query("limit"), functionLimits.logRuns);
    const tenant = c.get("caller").tenant;
    if (!(await functionExists(c.env.DB, tenant, name))) throw missing(name);
    return c.json({ name, runs: await listRuns(c.env.DB, tenant, name, limit) });
  })
  .delete("/:name", async (c) => {
    const name = parseName(c.req.param("name"));
    if (!(await deleteFunction(c.env.DB, c.get("caller").tenant, name))) throw missing(name);
    return c.body(null, 204);
  })
  .post("/:name/invoke", async (c) => {
    const name = parseName(c.req.param("name"));
    const query = c.req.query("version");
    const version = query === undefined ? undefined : parseVersion(query);
    const limits = limitsForTier(getService(c.env).limits, c.get("caller").tier);
    // An invocation without arguments may come without a body.
    const empty = !c.req.raw.body || c.req.header("content-length") === "0";
    const body = empty ? {} : await readJsonBody(c.req.raw, limits.bodyBytes);
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ServiceError("invalid_request", `The request body must be a JSON object, got ${describeType(body)}.`);
    }
    const stored = await readVersion(c.env.DB, c.get("caller").tenant, name, version);
    if (!stored) throw missing(name, version);
    // Only the run options come from the caller; the code is the stored version's.
    const { args, timeoutMs, network } = body as Record<string, unknown>;
    const request = parseExecuteRequest(
      { code: stored.code, language: stored.language, args, timeoutMs, network },
      limits,
    );
    const execution = await execute(
      stored.modules ? { ...request, modules: stored.modules } : request,
      executeContext(c, limits),
    );
    keepRunLogs(c, name, {
      run: c.get("requestId"),
      version: stored.version,
      via: "invoke",
      ...(execution.error && { error: execution.error }),
      logs: execution.logs,
    });
    return c.body(executionJson(execution), 200, { "content-type": "application/json; charset=utf-8" });
  });

/** Records a run's logs after the answer is sent; a failure to record never fails the run. */
export function keepRunLogs(c: Context<AuthEnv>, name: string, record: Omit<RunRecord, "dropped" | "at">): void {
  const { functionLimits } = getService(c.env);
  const tenant = c.get("caller").tenant;
  c.executionCtx.waitUntil(
    recordRun(c.env.DB, tenant, name, record, functionLimits).catch((error: unknown) => {
      console.error("could not record the logs of a run", c.get("requestId"), error);
    }),
  );
}

/** A version as GET answers it: one-file versions with `code`, others with `modules` (base64 `.wasm`). */
function describeVersion(stored: StoredCode): Record<string, unknown> {
  const { modules, code, ...rest } = stored;
  if (!modules) return { ...rest, code };
  const files: Record<string, string> = { [modules.main]: code, ...modules.sources };
  for (const [path, bytes] of Object.entries(modules.wasm)) files[path] = toBase64(bytes);
  return { ...rest, modules: files };
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let offset = 0; offset < bytes.byteLength; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

function parseLimit(query: string | undefined, max: number): number {
  if (query === undefined) return max;
  const limit = Number(query);
  if (!/^\d{1,6}$/.test(query) || limit < 1 || limit > max) {
    throw new ServiceError(
      "invalid_request",
      `\`limit\` must be an integer from 1 to ${max}, got ${describeType(query)}.`,
    );
  }
  return limit;
}

export function parseName(name: unknown): string {
  if (name === undefined) throw new ServiceError("invalid_request", '`name` is required, e.g. {"name": "add-one"}.');
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new ServiceError(
      "invalid_request",
      `A function name is a lowercase letter then up to 62 lowercase letters, digits or "-", got ${describeType(name)}.`,
    );
  }
  return name;
}

export function parseVersion(version: string): string {
  if (!VERSION.test(version)) {
    throw new ServiceError(
      "invalid_request",
      `A function version is 64 lowercase hexadecimal characters, got ${describeType(version)}.`,
    );
  }
  return version;
}

export function missing(name: string, version?: string): ServiceError {
  return new ServiceError(
    "not_found",
    version === undefined ? `There is no function "${name}".` : `Function "${name}" has no version ${version}.`,
  );
}
