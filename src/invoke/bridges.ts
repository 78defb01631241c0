/**
 * Host-side bridges between an agent's own objects and a sandbox. The sandbox never holds the
 * agent's stubs directly: it calls these, which forward to the agent and stop forwarding the moment
 * the run settles, so a late call from a run that has ended is refused with a clear error. Both are
 * RpcTargets (the Workers ones, which capnweb also uses), so they reach the sandbox over Workers RPC
 * whether the agent called over Workers RPC, capnweb or MCP.
 */

import { RpcTarget } from "cloudflare:workers";
import type { LogEntry } from "../../shared/protocol";
import type { LogSinkApi, ToolsApi } from "../../shared/runtime-api";

export class ToolCallRefusedError extends Error {
  override name = "ToolCallRefusedError";
  readonly code = "E_TOOL_REFUSED";
}

type ToolFunction = (...args: unknown[]) => unknown;

export class ToolBridge extends RpcTarget implements ToolsApi {
  private closed = false;

  /**
   * @param tools the agent's tools: any object whose methods are the tools (an RpcTarget stub)
   * @param awaitResults capnweb stubs cannot cross Workers RPC, so their results are awaited into
   *   plain data first (pipelining on a capnweb tool's result is then not available)
   */
  constructor(
    private readonly tools: unknown,
    private readonly awaitResults = false,
  ) {
    super();
  }

  call(name: string, args: unknown[]): unknown {
    if (this.closed) {
      throw new ToolCallRefusedError(`$.tools.${name}() came after the run settled; tool calls end with the run.`);
    }
    if (typeof name !== "string" || !Array.isArray(args))
      throw new TypeError("call(name, args) takes a string and an array.");
    const tools = this.tools as Record<string, ToolFunction | undefined>;
    if (typeof tools[name] !== "function") throw new TypeError(`The caller has no tool named ${JSON.stringify(name)}.`);
    // Called as a method, not through Function.prototype.apply: on an RPC stub, `apply` would be a remote call.
    const result = (tools[name] as ToolFunction)(...args);
    return this.awaitResults ? Promise.resolve(result) : result;
  }

  /** Ends forwarding and releases the agent's stub. */
  close(): void {
    this.closed = true;
    dispose(this.tools);
  }
}

export class LogBridge extends RpcTarget implements LogSinkApi {
  private closed = false;

  constructor(private readonly onLog: (entry: LogEntry) => unknown) {
    super();
  }

  async write(entries: LogEntry[]): Promise<void> {
    for (const entry of entries) {
      if (this.closed) return;
      try {
        await this.onLog({ level: entry.level, message: entry.message, ms: entry.ms });
      } catch {
        // The agent's callback failed or is gone: stop forwarding; the logs are still in the answer.
        this.close();
        return;
      }
    }
  }

  close(): void {
    this.closed = true;
    dispose(this.onLog);
  }
}

function dispose(stub: unknown): void {
  try {
    (stub as { [Symbol.dispose]?: () => void } | undefined)?.[Symbol.dispose]?.();
  } catch {
    // Already disposed, or a plain object: nothing to release.
  }
}
