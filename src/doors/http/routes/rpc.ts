/** `/rpc`: the executor over capnweb, as HTTP batch (POST) or WebSocket (GET with Upgrade). */

import { newWorkersRpcResponse } from "capnweb";
import { Hono } from "hono";
import { ServiceError } from "../../../errors";
import { mainFor } from "../../capnweb";
import { type AuthEnv, bearerKey } from "../auth";

export const rpc = new Hono<AuthEnv>().all("/", async (c) => {
  const main = await mainFor(
    {
      env: c.env,
      exports: c.executionCtx.exports,
      requestId: c.get("requestId"),
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    },
    bearerKey(c.req.header("authorization")),
  );
  try {
    return await newWorkersRpcResponse(c.req.raw, main, {
      // Errors reach the client with name, message and own properties, never a host stack.
      onSendError: (error) => {
        const sent = new Error(error.message);
        sent.name = error.name;
        Object.assign(sent, error);
        sent.stack = undefined;
        return sent;
      },
    });
  } catch (error) {
    // A batch that is not capnweb. capnweb's own error quotes the message, which may carry an API
    // key (`["authenticate", …]`), so neither the answer nor the log repeats it.
    if (error instanceof SyntaxError || (error instanceof Error && error.message.startsWith("bad RPC message"))) {
      throw new ServiceError("invalid_request", "The body is not a capnweb HTTP batch: one JSON message per line.");
    }
    throw error;
  }
});
