/**
 * `POST /execute`: validate, run, answer 200 with the execution (docs/api.md). With
 * `Accept: text/event-stream` or `"stream": true` the answer is Server-Sent Events instead: a `log`
 * event as each log entry happens, then exactly one `result` or `error` event carrying the same
 * object as the JSON answer (also after a timeout or a failure of the service itself).
 */

import { Hono } from "hono";
import { MODULE_LIMITS } from "../../../../shared/limits";
import { describeType, ServiceError } from "../../../errors";
import { LogBridge } from "../../../invoke/bridges";
import type { InvocationContext } from "../../../invoke/context";
import { executionJson } from "../../../invoke/report";
import { type CodeRequest, parseCodeRequest } from "../../../invoke/request";
import { runSnippet } from "../../../invoke/run";
import type { AuthEnv } from "../auth";
import { invocationOf } from "../invocation";
import { readRequestBody } from "../read-body";

export const executeRoute = new Hono<AuthEnv>().post("/", async (c) => {
  const context = invocationOf(c);
  const body = await readRequestBody(c.req.raw, context.limits.bodyBytes, MODULE_LIMITS.bodyBytes);
  const request = parseCodeRequest(body, context.limits);
  if (wantsStream(c.req.header("accept"), body)) {
    const { response, done } = streamExecution(request, context);
    c.executionCtx.waitUntil(done);
    return response;
  }
  const execution = await runSnippet(context, request);
  return c.body(executionJson(execution), 200, { "content-type": "application/json; charset=utf-8" });
});

function wantsStream(accept: string | undefined, body: unknown): boolean {
  const stream = (body as { stream?: unknown }).stream;
  if (stream !== undefined && typeof stream !== "boolean") {
    throw new ServiceError("invalid_request", `\`stream\` must be a boolean, got ${describeType(stream)}.`);
  }
  return stream ?? (accept ?? "").includes("text/event-stream");
}

function streamExecution(
  request: CodeRequest,
  context: InvocationContext,
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
      const execution = await runSnippet(context, request, { logSink });
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
