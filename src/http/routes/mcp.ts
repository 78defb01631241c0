/**
 * `/mcp`: the MCP server over Streamable HTTP, stateless: a server per POST, answered as JSON.
 * There are no sessions, so there is nothing to stream on GET or to end on DELETE: both are 405,
 * which tells clients not to hold a stream open.
 */

import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { ConcurrencyGate } from "../../agents/gate";
import { createMcpServer } from "../../agents/mcp";
import type { AuthEnv } from "../auth";

export const mcp = new Hono<AuthEnv>()
  .post("/", async (c) => {
    const server = createMcpServer({
      env: c.env,
      exports: c.executionCtx.exports,
      caller: c.get("caller"),
      gate: new ConcurrencyGate(),
      requestId: c.get("requestId"),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw);
  })
  .all("/", (c) =>
    c.json(
      {
        jsonrpc: "2.0",
        error: { code: -32000, message: "Method not allowed: this MCP server is stateless; POST only." },
        id: null,
      },
      405,
      {
        allow: "POST",
      },
    ),
  );
