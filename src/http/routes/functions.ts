/**
 * Stored functions (issue 6): `POST /functions` keeps a named, versioned snippet once it compiles;
 * `POST /functions/:name/invoke` runs its latest (or `?version=`) version through the same path as
 * `POST /execute` and answers the same object. Everything is scoped to the caller's tenant: another
 * tenant's function is indistinguishable from one that does not exist.
 */

import { Hono } from "hono";
import { describeType, ServiceError } from "../../errors";
import { execute } from "../../execute";
import { deleteFunction, listFunctions, listVersions, readVersion, storeVersion } from "../../functions/store";
import { executionJson } from "../../report";
import { getService } from "../../service";
import type { AuthEnv } from "../auth";
import { readJsonBody } from "../read-body";
import { limitsForTier, parseExecuteRequest } from "../validate";
import { syntaxDiagnostic } from "./compile";
import { executeContext } from "./execute";

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^[0-9a-f]{64}$/;

export const functions = new Hono<AuthEnv>()
  .post("/", async (c) => {
    const { compiler, limits: serviceLimits } = getService(c.env);
    const limits = limitsForTier(serviceLimits, c.get("caller").tier);
    const body = await readJsonBody(c.req.raw, limits.bodyBytes);
    const request = parseExecuteRequest(body, limits);
    const fields = body as Record<string, unknown>;
    const name = parseName(fields.name);
    if (fields.modules !== undefined) {
      throw new ServiceError("invalid_request", "A stored function is one file: send `code` without `modules`.");
    }
    const compiled = await compiler.compile({ code: request.code, language: request.language }, request.network);
    if (!compiled.ok) {
      const diagnostics = compiled.diagnostics.map(syntaxDiagnostic);
      const first = diagnostics[0];
      throw new ServiceError(
        "invalid_request",
        `\`code\` does not compile, so it was not stored${first ? `: ${first.message} (${first.line}:${first.column})` : ""}.`,
        { details: { diagnostics } },
      );
    }
    const stored = await storeVersion(c.env.DB, c.get("caller").tenant, name, request.code, request.language);
    return c.json(
      { name, version: stored.version, createdAt: stored.createdAt, latest: true },
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
    return c.json(stored);
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
    const execution = await execute(request, executeContext(c, limits));
    return c.body(executionJson(execution), 200, { "content-type": "application/json; charset=utf-8" });
  });

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
