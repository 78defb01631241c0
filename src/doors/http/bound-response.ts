/**
 * Bounds the body of an HTTP function's response (`FUNCTION_LIMITS.responseBytes`): the handler is
 * user code, so what it answers is passed on only up to the limit. A declared `Content-Length`
 * over it is refused before anything is sent; a body of unknown length is counted as it streams,
 * and cut and errored at the limit, so the client sees a failed transfer, never a silently short body.
 */

import { ServiceError } from "../../errors";

/** The handler's declared body size when it is over `maxBytes`; undefined otherwise. */
export function declaredOver(response: Response, maxBytes: number): number | undefined {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  return Number.isFinite(declared) && declared > maxBytes ? declared : undefined;
}

export function responseTooLarge(name: string, declared: number, maxBytes: number): ServiceError {
  return new ServiceError(
    "response_too_large",
    `Function ${name} answered a body of ${declared} bytes (its Content-Length); the limit is ${maxBytes} bytes per response (\`responseBytes\`).`,
    { details: { limit: "responseBytes", max: maxBytes, declared } },
  );
}

/** A copy of the response whose body errors once more than `maxBytes` would pass. */
export function boundResponse(response: Response, maxBytes: number, name: string): Response {
  if (!response.body) return new Response(null, response);
  let sent = 0;
  const cut = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const room = maxBytes - sent;
      if (chunk.byteLength <= room) {
        sent += chunk.byteLength;
        controller.enqueue(chunk);
        return;
      }
      if (room > 0) controller.enqueue(chunk.subarray(0, room));
      sent = maxBytes;
      console.warn(`function ${name}: response body cut at ${maxBytes} bytes`);
      controller.error(new Error(`Function ${name}'s response body is over ${maxBytes} bytes; it was cut there.`));
    },
  });
  // Errors reach the client as an aborted transfer; nothing else is listening for them here.
  return new Response(response.body.pipeThrough(cut), response);
}
