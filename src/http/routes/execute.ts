/**
 * `POST /execute`: validate, execute, answer 200 with the execution (API.md). With
 * `Accept: text/event-stream` or `"stream": true` the answer is Server-Sent Events instead: a `log`
 * event as each log entry happens, then exactly one `result` or `error` event carrying the same
 * object as the JSON answer (also after a timeout or a failure of the service itself).
 */

import { type Context, Hono } from "hono";
import type { ExecutionLimits } from "../../../shared/limits";
import { MODULE_LIMITS } from "../../../shared/limits";
import { LogBridge } from "../../agents/bridges";
import { describeType, ServiceError } from "../../errors";
import { type ExecuteContext, execute } from "../../execute";
import { executionJson } from "../../report";
import { getService } from "../../service";
import type { AuthEnv } from "../auth";
import { readRequestBody } from "../read-body";
import { type ExecuteRequest, limitsForTier, parseExecuteRequest } from "../validate";

export const executeRoute = new Hono<AuthEnv>().post("/", async (c) => {
  const limits = limitsForTier(getService(c.env).limits, c.get("caller").tier);
  const body = await readRequestBody(c.req.raw, limits.bodyBytes, MODULE_LIMITS.bodyBytes);
  const request = parseExecuteRequest(body, limits);
  const context = executeContext(c, limits);
  if (wantsStream(c.req.header("accept"), body)) {
    const { response, done } = streamExecution(request, context);
    c.executionCtx.waitUntil(done);
    return response;
  }
  const execution = await execute(request, context);
  return c.body(executionJson(execution), 200, { "content-type": "application/json; charset=utf-8" });
});

/** What `execute` needs to run a request for this caller, with limits narrowed to its tier. */
export function executeContext(c: Context<AuthEnv>, limits: ExecutionLimits): ExecuteContext {
  const { compiler, sandboxes } = getService(c.env);
  const exports = c.executionCtx.exports;
  return {
    compiler,
    sandboxes,
    limits,
    caller: c.get("caller"),
    loader: c.env.LOADER,
    outbound: (allow) => exports.Outbound({ props: { allow } }),
    runtime: (props) => exports.Runtime({ props }),
    requestId: c.get("requestId"),
  };
}

function wantsStream(accept: string | undefined, body: unknown): boolean {
  const stream = (body as { stream?: unknown }).stream;
  if (stream !== undefined && typeof stream !== "boolean") {
    throw new ServiceError("invalid_request", `\`stream\` must be a boolean, got ${describeType(stream)}.`);
  }
  return stream ?? (accept ?? "").includes("text/event-stream");
}

function streamExecution(
  request: ExecuteRequest,
  context: ExecuteContext,
): { response: Response; done: Promise<void> } {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  // A client that went away must not fail the run: writes after that are dropped.
  const send = (text: string) => writer.write(encoder.encode(text)).catch(() => undefined);
  const event = (name: string, json: string) => send(`event: ${name}\ndata: ${json}\n\n`);

  const done = (async () => {
    await send(": stream open\n\n");
    try {
      const logSink = new LogBridge((entry) => event("log", JSON.stringify(entry)));
      const execution = await execute(request, { ...context, logSink });
      await event(execution.ok ? "result" : "error", executionJson(execution));
    } catch (error) {
      console.error("internal error while streaming", context.requestId, error);
      const failure = {
        ok: false,
        error: {
          kind: "runtime",
          name: "ServiceError",
          message: "The service failed while running the code; it can be retried.",
        },
        logs: [],
        calls: [],
      };
      await event("error", JSON.stringify(failure));
    } finally {
      await writer.close().catch(() => undefined);
    }
  })();
  const response = new Response(readable, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-request-id": context.requestId,
    },
  });
  return { response, done };
}
