/** `POST /execute`: validate, execute, answer 200 with the execution (API.md). */

import { Hono } from "hono";
import type { Env } from "../../env";
import { execute } from "../../execute";
import { executionJson } from "../../report";
import { getService } from "../../service";
import { readJsonBody } from "../read-body";
import { parseExecuteRequest } from "../validate";

export const executeRoute = new Hono<{ Bindings: Env; Variables: { requestId: string } }>().post("/", async (c) => {
  const { compiler, limits } = getService(c.env);
  const request = parseExecuteRequest(await readJsonBody(c.req.raw, limits.bodyBytes), limits);
  const exports = c.executionCtx.exports;
  const execution = await execute(request, {
    compiler,
    limits,
    loader: c.env.LOADER,
    outbound: (allow) => exports.Outbound({ props: { allow } }),
    requestId: c.get("requestId"),
  });
  return c.body(executionJson(execution), 200, { "content-type": "application/json; charset=utf-8" });
});
