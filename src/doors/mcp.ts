/**
 * The MCP door (served at `/mcp` over Streamable HTTP, stateless): one `execute` tool. Its
 * description teaches a model the snippet shapes and embeds the `$` type definitions; its answer
 * is a short text summary for the model plus `structuredContent` matching the declared output
 * schema (mcp-answer.ts).
 */

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import * as z from "zod";
import { DEFAULT_LIMITS } from "../../shared/limits";
import { RUNTIME_TYPES } from "../generated/prelude";
import type { InvocationContext } from "../invoke/context";
import { executionObject } from "../invoke/report";
import { parseCodeRequest } from "../invoke/request";
import { runSnippet } from "../invoke/run";
import { forModel, summarize } from "./mcp-answer";

const SHAPES = `Write JavaScript or TypeScript. Any of these shapes works; the last value is the result:
- statements with top-level return/await: \`const r = await $.kv.get("k"); return r\`
- a last expression: \`const a = 1; a + 1\`
- a function or arrow, called with args: \`async (args) => args.x * 2\`
- function declarations (main, or the last one, is called with args): \`function main(args) { ... }\`
- an ES module with \`export default\` (a function is called with args)
Code may sit in a Markdown fence. \`args\` holds the input; \`$\` (below) is in scope: no imports needed.
console.log output comes back as logs. No network unless allowed; no eval. Errors name the line.`;

const outputShape = {
  ok: z.boolean().describe("Whether the code ran and returned without error."),
  result: z.unknown().optional().describe("The returned value as JSON (absent when undefined)."),
  error: z
    .object({
      kind: z.enum(["syntax", "runtime", "timeout", "resource"]),
      name: z.string(),
      message: z.string(),
      line: z.number().optional(),
      column: z.number().optional(),
      hint: z.string().optional(),
      frame: z.string().optional(),
      stack: z.string().optional(),
    })
    .passthrough()
    .optional()
    .describe("What went wrong, located in the submitted code."),
  logs: z.array(z.object({ level: z.string(), message: z.string(), ms: z.number() })),
  calls: z.array(z.object({ name: z.string(), ms: z.number(), ok: z.boolean() })),
  id: z.string(),
  cached: z.boolean(),
  timings: z.object({ compileMs: z.number(), runMs: z.number(), totalMs: z.number() }),
  truncated: z
    .object({
      result: z.object({ bytes: z.number(), hint: z.string() }).optional(),
      logs: z.object({ total: z.number(), hint: z.string() }).optional(),
    })
    .optional()
    .describe("Present when parts of the answer were cut to keep it readable."),
};

/** A server for one MCP request (stateless): every tool call is an execution in `context`. */
export function createMcpServer(context: InvocationContext): McpServer {
  const server = new McpServer(
    { name: "functions-do", title: "Functions.do code execution", version: "1.0.0" },
    {
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      instructions:
        "Use the execute tool to run JavaScript or TypeScript in a sandbox, with $ for storage and services.",
    },
  );
  server.registerTool(
    "execute",
    {
      title: "Run code",
      description: `Runs JavaScript or TypeScript in a sandbox and returns its result, logs and errors.\n\n${SHAPES}\n\nThe runtime \`$\`:\n\`\`\`ts\n${RUNTIME_TYPES}\`\`\``,
      inputSchema: {
        code: z.string().describe("The code to run."),
        args: z.unknown().optional().describe("Any JSON value, visible as `args`."),
        timeoutMs: z
          .number()
          .int()
          .min(1)
          .max(DEFAULT_LIMITS.maxTimeoutMs)
          .optional()
          .describe(`Deadline in ms (default ${DEFAULT_LIMITS.defaultTimeoutMs}).`),
        language: z.enum(["typescript", "javascript"]).optional().describe("Default typescript."),
      },
      outputSchema: outputShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (input) => {
      const execution = await runSnippet(context, parseCodeRequest(input, context.limits));
      const structured = forModel(executionObject(execution));
      return {
        content: [{ type: "text", text: summarize(structured) }],
        structuredContent: structured,
        isError: structured.ok !== true,
      };
    },
  );
  return server;
}
