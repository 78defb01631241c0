/** `POST /execute`: validate, execute, answer 200 with the execution (API.md). */

import { Hono } from "hono";
import { execute } from "../../execute";
import { executionJson } from "../../report";
import { getService } from "../../service";
import type { AuthEnv } from "../auth";
import { readJsonBody } from "../read-body";
import { limitsForTier, parseExecuteRequest } from "../validate";

export const executeRoute = new Hono<AuthEnv>().post("/", async (c) => {
  const { compiler, sandboxes, limits: serviceLimits } = getService(c.env);
  const caller = c.get("caller");
  const limits = limitsForTier(serviceLimits, caller.tier);
  const request = parseExecuteRequest(await readJsonBody(c.req.raw, limits.bodyBytes), limits);
  const exports = c.executionCtx.exports;
  const execution = await execute(request, {
    compiler,
    sandboxes,
    limits,
    caller,
    loader: c.env.LOADER,
    outbound: (allow) => exports.Outbound({ props: { allow } }),
    runtime: (props) => exports.Runtime({ props }),
    requestId: c.get("requestId"),
  });
  return c.body(executionJson(execution), 200, { "content-type": "application/json; charset=utf-8" });
});
