/**
 * `/mcp`: the MCP server over Streamable HTTP, stateless: a server per POST, answered as JSON.
 * There are no sessions, so there is nothing to stream on GET or to end on DELETE: both are 405,
 * which tells clients not to hold a stream open.
 */

import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { createMcpServer } from "../../mcp";
import type { AuthEnv } from "../auth";
import { invocationOf } from "../invocation";

export const mcp = new Hono<AuthEnv>()
  .post("/", async (c) => {
    // One context for the whole POST: a JSON-RPC batch of tool calls shares its gate and each call
    // counts against the tier (the request itself paid for the first).
    const server = createMcpServer(invocationOf(c));
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
