/**
 * Stored functions (issue 6): `POST /functions` keeps a named, versioned snippet (or set of
 * `modules`, JSON or multipart) once it compiles, within the tenant's `FUNCTION_LIMITS`;
 * `POST /functions/:name/invoke` runs its latest (or `?version=`) version through the same path as
 * `POST /execute` (the core's `runStored`) and answers the same object. Everything is scoped to the caller's tenant: another
 * tenant's function is indistinguishable from one that does not exist. Each run's logs are kept
 * for `GET /functions/:name/logs`.
 */

import { Hono } from "hono";
import { MODULE_LIMITS } from "../../../../shared/limits";
import { describeType, ServiceError } from "../../../errors";
import { missing, parseName, parseVersion } from "../../../functions/names";
import { listRuns } from "../../../functions/runs";
import {
  deleteFunction,
  type FunctionContent,
  functionExists,
  listFunctions,
  listVersions,
  readVersion,
  type StoredCode,
  storeVersion,
} from "../../../functions/store";
import { compileCode } from "../../../invoke/prepare";
import { executionJson } from "../../../invoke/report";
import { parseCodeRequest } from "../../../invoke/request";
import { runStored } from "../../../invoke/stored";
import type { AuthEnv } from "../auth";
import { invocationOf } from "../invocation";
import { readJsonBody, readRequestBody } from "../read-body";
import { syntaxDiagnostic } from "./compile";

export const functions = new Hono<AuthEnv>()
  .post("/", async (c) => {
    const context = invocationOf(c);
    const { functionLimits } = context.service;
    const body = await readRequestBody(c.req.raw, context.limits.bodyBytes, MODULE_LIMITS.bodyBytes);
    const request = parseCodeRequest(body, context.limits);
    const name = parseName((body as Record<string, unknown>).name);
    const content: FunctionContent = {
      code: request.code,
      language: request.language,
      ...(request.modules && { modules: request.modules }),
    };
    // Stored to be run again (after restarts too): into the second-level store right away.
    const compiled = await compileCode(context, { ...content, network: request.network }, { persist: true });
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
    const limit = parseLimit(c.req.query("limit"), invocationOf(c).service.functionLimits.logRuns);
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
    const context = invocationOf(c);
    const name = parseName(c.req.param("name"));
    const query = c.req.query("version");
    const version = query === undefined ? undefined : parseVersion(query);
    // An invocation without arguments may come without a body.
    const empty = !c.req.raw.body || c.req.header("content-length") === "0";
    const body = empty ? {} : await readJsonBody(c.req.raw, context.limits.bodyBytes);
    const execution = await runStored(context, name, version, body);
    return c.body(executionJson(execution), 200, { "content-type": "application/json; charset=utf-8" });
  });

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
