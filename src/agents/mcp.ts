/**
 * The MCP server (`/mcp`, Streamable HTTP, stateless): one `execute` tool. Its description teaches
 * a model the snippet shapes and embeds the `$` type definitions; its answer is a short text
 * summary for the model plus `structuredContent` matching the declared output schema, and long
 * results and logs are cut explicitly, with a hint saying how to get less.
 */

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import * as z from "zod";
import { DEFAULT_LIMITS } from "../../shared/limits";
import { RUNTIME_TYPES } from "../generated/prelude";
import { type AgentContext, executeForAgent } from "./session";

/** Characters of the text summary a model reads. */
export const MAX_SUMMARY_CHARS = 8_000;
/** JSON bytes of a result kept in structuredContent; a longer result is replaced by a preview. */
export const MAX_STRUCTURED_RESULT_BYTES = 32 * 1024;
/** Log entries kept in the answer. */
export const MAX_LOG_ENTRIES = 100;

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

export function createMcpServer(context: AgentContext): McpServer {
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
      const execution = await executeForAgent(input, context);
      const structured = forModel(execution);
      return {
        content: [{ type: "text", text: summarize(structured) }],
        structuredContent: structured,
        isError: structured.ok !== true,
      };
    },
  );
  return server;
}

type Structured = Record<string, unknown> & {
  ok?: unknown;
  result?: unknown;
  error?: Record<string, unknown>;
  logs?: { level: string; message: string }[];
  calls?: { name: string; ms: number; ok: boolean }[];
  truncated?: { result?: { bytes: number; hint: string }; logs?: { total: number; hint: string } };
};

/** The execution with long parts cut and a hint saying so. */
export function forModel(execution: Record<string, unknown>): Structured {
  const structured: Structured = { ...execution };
  const truncated: NonNullable<Structured["truncated"]> = {};
  if ("result" in structured) {
    const json = JSON.stringify(structured.result) ?? "";
    const bytes = new TextEncoder().encode(json).byteLength;
    if (bytes > MAX_STRUCTURED_RESULT_BYTES) {
      structured.result = `${json.slice(0, 2000)}…`;
      truncated.result = {
        bytes,
        hint: `The result is ${bytes} bytes of JSON; only its start is shown. Return less: filter, aggregate or page it.`,
      };
    }
  }
  const logs = Array.isArray(structured.logs) ? structured.logs : [];
  if (logs.length > MAX_LOG_ENTRIES) {
    structured.logs = [...logs.slice(0, MAX_LOG_ENTRIES / 2), ...logs.slice(-MAX_LOG_ENTRIES / 2)];
    truncated.logs = {
      total: logs.length,
      hint: `${logs.length} log entries; the first and last ${MAX_LOG_ENTRIES / 2} are shown. Log less, or return the data instead.`,
    };
  }
  if (truncated.result || truncated.logs) structured.truncated = truncated;
  return structured;
}

/** A few lines a model can act on: outcome, result or located error with hint, logs, calls. */
export function summarize(structured: Structured): string {
  const lines: string[] = [];
  const error = structured.error;
  if (structured.ok === true) {
    lines.push("ok");
    if ("result" in structured) lines.push(`result: ${JSON.stringify(structured.result, null, 2)}`);
    else lines.push("result: undefined");
  } else if (error) {
    const at = typeof error.line === "number" ? ` at line ${error.line}, column ${String(error.column)}` : "";
    lines.push(`${String(error.kind)} error${at}: ${String(error.name)}: ${String(error.message)}`);
    if (typeof error.frame === "string") lines.push(error.frame);
    if (typeof error.hint === "string") lines.push(`hint: ${error.hint}`);
  }
  if (structured.truncated?.result) lines.push(`(result cut: ${structured.truncated.result.hint})`);
  const logs = structured.logs ?? [];
  if (logs.length > 0) {
    lines.push(`logs (${structured.truncated?.logs?.total ?? logs.length}):`);
    for (const log of logs) lines.push(`[${log.level}] ${log.message}`);
    if (structured.truncated?.logs) lines.push(`(logs cut: ${structured.truncated.logs.hint})`);
  }
  const calls = structured.calls ?? [];
  if (calls.length > 0)
    lines.push(`calls: ${calls.map((call) => `${call.name} ${call.ok ? "ok" : "failed"}`).join(", ")}`);
  const text = lines.join("\n");
  if (text.length <= MAX_SUMMARY_CHARS) return text;
  return `${text.slice(0, MAX_SUMMARY_CHARS)}\n… (summary cut at ${MAX_SUMMARY_CHARS} characters; the full answer is in structuredContent)`;
}
