/**
 * `ANY /fn/:name/*` (issue 6): a stored module whose default export has a `fetch` method answers
 * HTTP itself. The request goes to the handler with the path after `/fn/:name`, the query, the
 * body (up to the tier's `bodyBytes`) and every header but `Authorization`; its Response comes
 * back as it is. The latest version runs unless `x-function-version` names one, within
 * `x-function-timeout-ms` (the tier's default and maximum apply). Scoped to the caller's tenant.
 * The response body is bounded by `FUNCTION_LIMITS.responseBytes`, and every run's logs are kept
 * for `GET /functions/:name/logs`.
 */

import { Hono } from "hono";
import { describeType, ServiceError } from "../../errors";
import { readVersion } from "../../functions/store";
import { invokeFetch } from "../../invoke-fetch";
import { getService } from "../../service";
import type { AuthEnv } from "../auth";
import { boundResponse, declaredOver, responseTooLarge } from "../bound-response";
import { readBodyBytes } from "../read-body";
import { limitsForTier, parseExecuteRequest } from "../validate";
import { executeContext } from "./execute";
import { keepRunLogs, missing, parseName, parseVersion } from "./functions";

/** Headers the handler never sees: the caller's key stays with the host. */
const HIDDEN_HEADERS = ["authorization"];

export const fn = new Hono<AuthEnv>().all("/:name/*", async (c) => {
  const name = parseName(c.req.param("name"));
  const versionHeader = c.req.header("x-function-version");
  const version = versionHeader === undefined ? undefined : parseVersion(versionHeader);
  const limits = limitsForTier(getService(c.env).limits, c.get("caller").tier);
  const stored = await readVersion(c.env.DB, c.get("caller").tenant, name, version);
  if (!stored) throw missing(name, version);
  const { timeoutMs } = parseExecuteRequest(
    {
      code: stored.code,
      language: stored.language,
      timeoutMs: parseTimeoutHeader(c.req.header("x-function-timeout-ms")),
    },
    limits,
  );

  const url = new URL(c.req.url);
  const path = url.pathname.slice(`/fn/${name}`.length) || "/";
  const headers = new Headers(c.req.raw.headers);
  for (const header of HIDDEN_HEADERS) headers.delete(header);
  const method = c.req.method;
  const body = method === "GET" || method === "HEAD" ? undefined : await readBodyBytes(c.req.raw, limits.bodyBytes);
  const http = new Request(new URL(path + url.search, url.origin), { method, headers, body });

  const invocation = await invokeFetch(
    {
      code: stored.code,
      language: stored.language,
      timeoutMs,
      ...(stored.modules && { modules: stored.modules }),
    },
    http,
    executeContext(c, limits),
  );
  if (invocation.type === "no-handler") {
    throw new ServiceError(
      "invalid_request",
      `Function ${name}'s default export has no fetch handler: expected \`export default { fetch(request) { … } }\`, got ${invocation.got}.`,
    );
  }
  const run = { run: c.get("requestId"), version: stored.version, via: "http" as const };
  if (invocation.type === "error") {
    // The handler's own failure, located in its code like an /execute error.
    const { error, logs } = invocation;
    const status = error.kind === "timeout" ? 504 : 500;
    keepRunLogs(c, name, { ...run, status, error, logs });
    return c.json({ error, logs }, status);
  }
  const { response, logs } = invocation;
  const { responseBytes } = getService(c.env).functionLimits;
  const declared = declaredOver(response, responseBytes);
  if (declared !== undefined) {
    await response.body?.cancel().catch(() => undefined);
    const refused = responseTooLarge(name, declared, responseBytes);
    const error = { kind: "resource", name: "ResponseTooLarge", message: refused.message };
    keepRunLogs(c, name, { ...run, status: refused.status, error, logs });
    throw refused;
  }
  keepRunLogs(c, name, { ...run, status: response.status, logs });
  // A copy, so the app can still add its headers to the handler's response.
  return boundResponse(response, responseBytes, name);
});

function parseTimeoutHeader(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d{1,9}$/.test(header.trim())) {
    throw new ServiceError(
      "invalid_request",
      `\`x-function-timeout-ms\` must be a whole number of milliseconds, got ${describeType(header)}.`,
    );
  }
  return Number(header.trim());
}
