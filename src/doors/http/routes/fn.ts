/**
 * `ANY /fn/:name/*`: a stored module whose default export has a `fetch` method serves HTTP itself
 * (the core's `serveRequest`). The request goes to the handler with the path after `/fn/:name`,
 * the query, the body (up to the tier's `bodyBytes`) and every header but `Authorization`; its
 * Response comes back as it is. The latest version serves unless `x-function-version` names one,
 * within `x-function-timeout-ms` (the tier's default and maximum apply). Scoped to the caller's
 * tenant. The response body is bounded by `FUNCTION_LIMITS.responseBytes`, and every request's
 * logs are kept for `GET /functions/:name/logs`.
 */

import { Hono } from "hono";
import { describeType, ServiceError } from "../../../errors";
import { parseName, parseVersion } from "../../../functions/names";
import { parseCodeRequest } from "../../../invoke/request";
import { serveRequest } from "../../../invoke/serve";
import { recordFunctionRun, storedVersion } from "../../../invoke/stored";
import type { AuthEnv } from "../auth";
import { boundResponse, declaredOver, responseTooLarge } from "../bound-response";
import { invocationOf } from "../invocation";
import { readBodyBytes } from "../read-body";

/** Headers the handler never sees: the caller's key stays with the host. */
const HIDDEN_HEADERS = ["authorization"];

export const fn = new Hono<AuthEnv>().all("/:name/*", async (c) => {
  const context = invocationOf(c);
  const name = parseName(c.req.param("name"));
  const versionHeader = c.req.header("x-function-version");
  const stored = await storedVersion(
    context,
    name,
    versionHeader === undefined ? undefined : parseVersion(versionHeader),
  );
  const timeoutHeader = parseTimeoutHeader(c.req.header("x-function-timeout-ms"));
  const { code, language, modules } = stored;
  const { timeoutMs } = parseCodeRequest({ code, language, timeoutMs: timeoutHeader }, context.limits);

  const url = new URL(c.req.url);
  const path = url.pathname.slice(`/fn/${name}`.length) || "/";
  const headers = new Headers(c.req.raw.headers);
  for (const header of HIDDEN_HEADERS) headers.delete(header);
  const { method } = c.req;
  const body =
    method === "GET" || method === "HEAD" ? undefined : await readBodyBytes(c.req.raw, context.limits.bodyBytes);
  const http = new Request(new URL(path + url.search, url.origin), { method, headers, body });

  const served = await serveRequest(context, { code, language, timeoutMs, ...(modules && { modules }) }, http);
  if (served.type === "no-handler") {
    throw new ServiceError(
      "invalid_request",
      `Function ${name}'s default export has no fetch handler: expected \`export default { fetch(request) { … } }\`, got ${served.got}.`,
    );
  }
  const run = { run: context.requestId, version: stored.version, via: "http" as const };
  if (served.type === "error") {
    // The handler's own failure, located in its code like an /execute error.
    const { error, logs } = served;
    const status = error.kind === "timeout" ? 504 : 500;
    recordFunctionRun(context, name, { ...run, status, error, logs });
    return c.json({ error, logs }, status);
  }
  const { response, logs } = served;
  const { responseBytes } = context.service.functionLimits;
  const declared = declaredOver(response, responseBytes);
  if (declared !== undefined) {
    await response.body?.cancel().catch(() => undefined);
    const refused = responseTooLarge(name, declared, responseBytes);
    const error = { kind: "resource", name: "ResponseTooLarge", message: refused.message };
    recordFunctionRun(context, name, { ...run, status: refused.status, error, logs });
    throw refused;
  }
  recordFunctionRun(context, name, { ...run, status: response.status, logs });
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
