/**
 * One execution for an agent, whatever interface it came through (Workers RPC, capnweb, MCP):
 * the JSON part of the options is validated exactly as `POST /execute` validates its body; the
 * agent's own objects (tools, a log callback) go behind bridges that end with the run.
 */

import type { Env } from "../env";
import { describeType, ServiceError } from "../errors";
import { execute } from "../execute";
import { limitsForTier, parseExecuteRequest } from "../http/validate";
import { executionObject } from "../report";
import type { RuntimeProps } from "../runtime/entrypoint";
import { getService } from "../service";
import type { Caller } from "../tenancy/keys";
import { LogBridge, ToolBridge } from "./bridges";
import type { ConcurrencyGate } from "./gate";

/** The options of `execute` over RPC and capnweb: the JSON fields of POST /execute, plus objects. */
export interface AgentExecuteOptions {
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

export interface AgentContext {
  env: Env;
  exports: Cloudflare.Exports;
  caller: Caller;
  gate: ConcurrencyGate;
  requestId: string;
  /** The agent's objects are capnweb stubs (they cannot cross Workers RPC as they are). */
  capnweb?: boolean;
  /** Counts one more request against the caller's rate limit (throws when over it). */
  admit?: () => Promise<void>;
  /** Bounds the objects a session keeps open at once (capnweb sessions; see remote.ts). */
  openObjects?: OpenObjects;
}

/** The most opened objects a capnweb session (one WebSocket) may hold at once. */
export const MAX_OPEN_OBJECTS = 32;

/** How many opened objects a session holds; each keeps a sandbox isolate alive until released. */
export class OpenObjects {
  private count = 0;

  constructor(readonly max: number) {}

  take(): void {
    if (this.count >= this.max) {
      throw new ServiceError(
        "limit_reached",
        `This session already holds ${this.max} opened objects, the most it may; release one (stub[Symbol.dispose]()) before opening another.`,
        { details: { limit: "openObjects", max: this.max } },
      );
    }
    this.count++;
  }

  release(): void {
    this.count = Math.max(0, this.count - 1);
  }

  get held(): number {
    return this.count;
  }
}

export async function executeForAgent(options: unknown, context: AgentContext): Promise<Record<string, unknown>> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ServiceError(
      "invalid_request",
      `execute() takes an options object such as { code: "return 1" }, got ${describeType(options)}.`,
    );
  }
  const { tools, onLog, ...json } = options as Partial<AgentExecuteOptions>;
  if (tools !== undefined && (tools === null || (typeof tools !== "object" && typeof tools !== "function"))) {
    throw new ServiceError(
      "invalid_request",
      `\`tools\` must be an object whose methods are the tools, got ${describeType(tools)}.`,
    );
  }
  if (onLog !== undefined && typeof onLog !== "function") {
    throw new ServiceError("invalid_request", `\`onLog\` must be a function, got ${describeType(onLog)}.`);
  }
  const { compiler, sandboxes, limits: serviceLimits } = getService(context.env);
  const limits = limitsForTier(serviceLimits, context.caller.tier);
  const request = parseExecuteRequest(json, limits);
  const { exports } = context;
  const execution = await execute(request, {
    compiler,
    sandboxes,
    limits,
    caller: context.caller,
    loader: context.env.LOADER,
    outbound: (allow) => exports.Outbound({ props: { allow } }),
    runtime: (props: RuntimeProps) => exports.Runtime({ props }),
    requestId: context.requestId,
    gate: context.gate,
    ...(tools !== undefined && { tools: new ToolBridge(tools, context.capnweb) }),
    ...(onLog !== undefined && { logSink: new LogBridge(onLog) }),
  });
  return executionObject(execution);
}
