/** The MCP server (/mcp), driven by the official MCP TypeScript SDK client. */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl } from "./client";

let client: Client;

beforeAll(async () => {
  client = new Client({ name: "functions-do-tests", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl()}/mcp`)));
});

afterAll(async () => {
  await client?.close();
});

interface ToolAnswer {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

async function execute(args: Record<string, unknown>): Promise<ToolAnswer> {
  return (await client.callTool({ name: "execute", arguments: args })) as ToolAnswer;
}

describe("the MCP server", () => {
  it("lists the execute tool, describing the shapes and the $ types, with input and output schemas", async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((candidate) => candidate.name === "execute");
    expect(tool?.description).toContain("a function or arrow, called with args");
    expect(tool?.description).toContain("declare const $: FunctionsDo.Runtime;");
    expect(tool?.inputSchema.required).toEqual(["code"]);
    expect(Object.keys(tool?.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(["ok", "result", "error", "logs", "calls", "id", "cached", "timings"]),
    );
  });

  it("runs code and answers with a text summary and structured content", async () => {
    const answer = await execute({ code: "console.log('hi');\nreturn { sum: args.a + args.b }", args: { a: 2, b: 3 } });
    expect(answer.isError).toBe(false);
    expect(answer.structuredContent).toMatchObject({
      ok: true,
      result: { sum: 5 },
      logs: [{ level: "log", message: "hi" }],
    });
    expect(answer.content[0]?.text).toBe('ok\nresult: {\n  "sum": 5\n}\nlogs (1):\n[log] hi');
  });

  it("reports a syntax error with its line and a hint", async () => {
    const answer = await execute({ code: "const a = 1;\nconst b = ;" });
    expect(answer.isError).toBe(true);
    expect(answer.structuredContent?.error).toMatchObject({ kind: "syntax", line: 2, column: 11 });
    expect(answer.content[0]?.text).toContain('syntax error at line 2, column 11: SyntaxError: Unexpected ";"');
    expect(answer.content[0]?.text).toContain("hint: ");
  });

  it("reports a runtime error located in the code", async () => {
    const answer = await execute({ code: "const user = undefined;\nreturn user.name" });
    expect(answer.isError).toBe(true);
    expect(answer.structuredContent?.error).toMatchObject({ kind: "runtime", name: "TypeError", line: 2 });
    expect(answer.content[0]?.text).toContain("> 2 | return user.name");
  });

  it("reports a timeout", async () => {
    const answer = await execute({ code: "while (true) {}", timeoutMs: 500 });
    expect(answer.isError).toBe(true);
    expect(answer.structuredContent?.error).toMatchObject({ kind: "timeout" });
  });

  it("cuts a long result explicitly, with a hint", async () => {
    const answer = await execute({ code: "return Array.from({ length: 20000 }, (_, i) => ({ i }))" });
    expect(answer.structuredContent?.truncated).toMatchObject({
      result: { hint: expect.stringContaining("Return less") },
    });
    expect(typeof answer.structuredContent?.result).toBe("string");
    expect(answer.content[0]?.text).toContain("(result cut: ");
  });

  it("cuts many log lines explicitly, keeping the first and the last", async () => {
    const answer = await execute({ code: "for (let i = 0; i < 500; i++) console.log('line', i)" });
    const logs = answer.structuredContent?.logs as { message: string }[];
    expect(logs).toHaveLength(100);
    expect([logs[0]?.message, logs.at(-1)?.message]).toEqual(["line 0", "line 499"]);
    expect(answer.structuredContent?.truncated).toMatchObject({ logs: { total: 500 } });
  });

  it("validates arguments against the input schema", async () => {
    const answer = await execute({ code: "return 1", timeoutMs: 0 });
    expect(answer.isError).toBe(true);
  });
});
