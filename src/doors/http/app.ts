/**
 * The HTTP door: routes, the API-key check, and the one place errors become responses. Routes
 * translate HTTP to the core (src/invoke/) and back; MCP and capnweb are served here too, through
 * their own doors. Anything a client sends gets a JSON answer; only the service's own failures are 5xx.
 */

import { Hono } from "hono";
import { ServiceError } from "../../errors";
import { warmUp } from "../../warm";
import { type AuthEnv, authenticate, rateLimit } from "./auth";
import { bench } from "./routes/bench";
import { compileRoute } from "./routes/compile";
import { executeRoute } from "./routes/execute";
import { fn } from "./routes/fn";
import { functions } from "./routes/functions";
import { health } from "./routes/health";
import { mcp } from "./routes/mcp";
import { pages } from "./routes/pages";
import { rpc } from "./routes/rpc";
import { snippets } from "./routes/snippets";
import { types } from "./routes/types";

export const app = new Hono<AuthEnv>();

app.use(async (c, next) => {
  c.executionCtx.waitUntil(warmUp());
  const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
  c.set("requestId", requestId);
  await next();
  c.header("x-request-id", requestId);
});

app.route("/", pages);
app.route("/health", health);
app.route("/__bench", bench);
app.use("/types", authenticate());
app.route("/types", types);
app.use("/execute", authenticate(), rateLimit());
app.route("/execute", executeRoute);
app.use("/compile", authenticate(), rateLimit());
app.route("/compile", compileRoute);
app.route("/snippets", snippets);
app.use("/functions", authenticate(), rateLimit());
app.use("/functions/*", authenticate(), rateLimit());
app.route("/functions", functions);
app.use("/fn/*", authenticate(), rateLimit());
app.route("/fn", fn);
app.use("/mcp", authenticate(), rateLimit());
app.route("/mcp", mcp);
// capnweb authenticates itself: a WebSocket from a browser cannot send a header (see agents/capnweb.ts).
app.route("/rpc", rpc);
app.all("/execute", () => {
  throw new ServiceError("method_not_allowed", "Use POST /execute with a JSON body.");
});

app.notFound((c) => {
  throw new ServiceError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
});

app.onError((error, c) => {
  if (error instanceof ServiceError) {
    if (error.options.retryAfterSeconds !== undefined) c.header("retry-after", String(error.options.retryAfterSeconds));
    const { details } = error.options;
    return c.json(
      { error: { code: error.code, message: error.message, ...(details !== undefined && { details }) } },
      error.status,
    );
  }
  console.error("internal error", c.get("requestId"), error);
  return c.json(
    { error: { code: "internal", message: "The service failed to handle this request; it can be retried." } },
    500,
  );
});
