/**
 * Runs a snippet and answers the execution (docs/api.md, "POST /execute"), for every door that runs
 * code: POST /execute (JSON or streamed), a stored function's invoke, MCP's `execute` tool, and
 * `execute` over capnweb and Workers RPC. An agent's own objects (tools, a log callback) go behind
 * bridges that end with the run.
 */

import { describeType, ServiceError } from "../errors";
import { vetRun } from "../sandbox/vet";
import { LogBridge, ToolBridge } from "./bridges";
import { callUnit } from "./call";
import type { InvocationContext } from "./context";
import { prepare } from "./prepare";
import { type Execution, runError } from "./report";
import { type CodeRequest, parseCodeRequest } from "./request";

/** Where a run's `$.tools` calls and live log entries go (closed when the run ends). */
export interface RunBridges {
  tools?: ToolBridge;
  logSink?: LogBridge;
}

export async function runSnippet(
  context: InvocationContext,
  request: CodeRequest,
  bridges: RunBridges = {},
): Promise<Execution> {
  try {
    await context.admit();
    return await admitted(context, request, bridges);
  } finally {
    bridges.tools?.close();
    bridges.logSink?.close();
  }
}

async function admitted(context: InvocationContext, request: CodeRequest, bridges: RunBridges): Promise<Execution> {
  const started = performance.now();
  const prepared = await prepare(context, request);
  const timings = (runMs: number) => ({
    compileMs: round(prepared.compileMs),
    runMs: round(runMs),
    totalMs: round(performance.now() - started),
  });
  const warnings = request.warnings && { warnings: request.warnings };
  if (!prepared.ok) {
    const { id, cached, error } = prepared;
    return { ok: false, error, logs: [], calls: [], id, cached, timings: timings(0), ...warnings };
  }
  const runStarted = performance.now();
  const answer = await callUnit(
    context,
    prepared,
    { args: request.args, timeoutMs: request.timeoutMs, ...bridges },
    (entrypoint, call) => entrypoint.run(call),
  );
  const outcome = vetRun(answer.outcome, context.limits, answer.started);
  const common = {
    logs: outcome.logs,
    calls: outcome.calls,
    id: prepared.unit.id,
    cached: prepared.cached,
    timings: timings(performance.now() - runStarted),
    ...warnings,
  };
  return outcome.type === "result"
    ? { ok: true, ...(outcome.result !== undefined && { resultJson: outcome.result }), ...common }
    : { ok: false, error: runError(outcome.error, prepared.unit, prepared.source), ...common };
}

/** The options of `execute` over RPC and capnweb: the JSON fields of POST /execute, plus objects. */
export interface AgentRunOptions {
  code: string;
  language?: "typescript" | "javascript";
  args?: unknown;
  timeoutMs?: number;
  network?: "none" | { allow: string[] };
  /** An object whose methods are tools: the snippet calls them as `$.tools.<name>(...args)`. */
  tools?: object;
  /** Called with each log entry while the run goes on. */
  onLog?: (entry: { level: string; message: string; ms: number }) => unknown;
}

/**
 * An agent's `execute(options)`: the JSON part validated exactly as POST /execute validates its
 * body, the objects put behind bridges.
 * @param capnwebStubs the objects are capnweb stubs, whose results cannot cross Workers RPC as they are
 */
export function parseAgentRun(
  options: unknown,
  context: InvocationContext,
  capnwebStubs = false,
): { request: CodeRequest; bridges: RunBridges } {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ServiceError(
      "invalid_request",
      `execute() takes an options object such as { code: "return 1" }, got ${describeType(options)}.`,
    );
  }
  const { tools, onLog, ...json } = options as Partial<AgentRunOptions>;
  if (tools !== undefined && (tools === null || (typeof tools !== "object" && typeof tools !== "function"))) {
    throw new ServiceError(
      "invalid_request",
      `\`tools\` must be an object whose methods are the tools, got ${describeType(tools)}.`,
    );
  }
  if (onLog !== undefined && typeof onLog !== "function") {
    throw new ServiceError("invalid_request", `\`onLog\` must be a function, got ${describeType(onLog)}.`);
  }
  const request = parseCodeRequest(json, context.limits);
  return {
    request,
    bridges: {
      ...(tools !== undefined && { tools: new ToolBridge(tools, capnwebStubs) }),
      ...(onLog !== undefined && { logSink: new LogBridge(onLog) }),
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
