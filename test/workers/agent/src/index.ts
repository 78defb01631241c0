/**
 * A test agent: runs scenarios against the executor's RPC entrypoint, with tools that live here.
 * GET /<scenario> answers JSON: what the executor returned plus what happened on the agent's side.
 */

import { RpcTarget } from "cloudflare:workers";
import { OPEN_SCENARIOS } from "./open";

interface LogEntry {
  level: string;
  message: string;
  ms: number;
}

interface ExecutorStub {
  execute(options: Record<string, unknown>): Promise<Record<string, unknown>>;
  open(options: Record<string, unknown>): Promise<unknown>;
  types(): Promise<string>;
}

interface Env {
  EXECUTOR: ExecutorStub;
  EXECUTOR_FREE: ExecutorStub;
}

class Notebook extends RpcTarget {
  private readonly notes: string[] = [];

  add(text: string): number {
    this.notes.push(text);
    return this.notes.length;
  }

  list(): string[] {
    return [...this.notes];
  }
}

class ToolError extends Error {
  override name = "ToolError";
  readonly code = "E_TOOL";
  readonly details = { retryable: false };
}

/** The agent's tools: every call is recorded here, on the agent's side. */
class Tools extends RpcTarget {
  readonly calls: string[] = [];
  readonly memory = new Map<string, unknown>();

  constructor(private readonly env: Env) {
    super();
  }

  search(query: string): { title: string }[] {
    this.calls.push(`search:${query}`);
    return [{ title: `First result for ${query}` }, { title: `Second result for ${query}` }];
  }

  /** Changes the agent's own state: the call really runs here. */
  remember(key: string, value: unknown): number {
    this.calls.push(`remember:${key}`);
    this.memory.set(key, value);
    return this.memory.size;
  }

  /** Calls back into the executor from inside a tool call. */
  async nested(code: string): Promise<unknown> {
    this.calls.push("nested");
    const inner = await this.env.EXECUTOR.execute({ code });
    return inner.result;
  }

  fail(): never {
    this.calls.push("fail");
    throw new ToolError("The tool failed on purpose.");
  }

  notebook(): Notebook {
    this.calls.push("notebook");
    return new Notebook();
  }

  async slow(ms: number): Promise<string> {
    await scheduler.wait(ms);
    return "slow done";
  }
}

const SCENARIOS: Record<string, (env: Env) => Promise<unknown>> = {
  async health() {
    return { ok: true };
  },
  async tools(env) {
    const tools = new Tools(env);
    const result = await env.EXECUTOR.execute({
      code: 'const hits = await $.tools.search("workers");\nawait $.tools.remember("first", hits[0].title);\nreturn hits.length',
      tools,
    });
    return { result, calls: tools.calls, memory: Object.fromEntries(tools.memory) };
  },
  async nested(env) {
    const tools = new Tools(env);
    const result = await env.EXECUTOR.execute({ code: 'return await $.tools.nested("return 20 + 22")', tools });
    return { result, calls: tools.calls };
  },
  async failure(env) {
    const tools = new Tools(env);
    const result = await env.EXECUTOR.execute({ code: "const x = 1;\nawait $.tools.fail();", tools });
    return { result, calls: tools.calls };
  },
  async caught(env) {
    const tools = new Tools(env);
    return env.EXECUTOR.execute({
      code: "try { await $.tools.fail() } catch (e) { return [e.name, e.code, e.details, e.message] }",
      tools,
    });
  },
  async stub(env) {
    const tools = new Tools(env);
    const result = await env.EXECUTOR.execute({
      code: 'const book = await $.tools.notebook();\nawait book.add("one");\nawait book.add("two");\nreturn book.list()',
      tools,
    });
    return { result, calls: tools.calls };
  },
  async pipelined(env) {
    const tools = new Tools(env);
    return env.EXECUTOR.execute({ code: 'return $.tools.notebook().add("pipelined")', tools });
  },
  async logs(env) {
    const seen: (LogEntry & { receivedBeforeResult: boolean })[] = [];
    let settled = false;
    const result = await env.EXECUTOR.execute({
      code: 'console.log("first");\nawait scheduler.wait(30);\nconsole.warn("second", { n: 2 });\nreturn "done"',
      onLog: (entry: LogEntry) => {
        seen.push({ ...entry, receivedBeforeResult: !settled });
      },
    });
    settled = true;
    return { result, seen };
  },
  async late(env) {
    const tools = new Tools(env);
    const result = await env.EXECUTOR.execute({
      code: 'setTimeout(() => $.tools.search("late"), 20);\nreturn "returned"',
      tools,
    });
    await scheduler.wait(200);
    return { result, calls: tools.calls };
  },
  async untooled(env) {
    return env.EXECUTOR.execute({ code: 'return $.tools.search("x")' });
  },
  async invalid(env) {
    try {
      await env.EXECUTOR.execute({ code: 42 });
      return { threw: false };
    } catch (error) {
      const e = error as Error & { code?: string };
      return { threw: true, name: e.name, code: e.code, message: e.message };
    }
  },
  async tenant(env) {
    return {
      local: (await env.EXECUTOR.execute({ code: "return $.ctx.tenant" })).result,
      free: (await env.EXECUTOR_FREE.execute({ code: "return $.ctx.tenant" })).result,
      freeFetch: (await env.EXECUTOR_FREE.execute({ code: "await $.fetch('https://example.com')" })).error,
    };
  },
  async parallel(env) {
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) => env.EXECUTOR.execute({ code: `await scheduler.wait(100); return ${n}` })),
    );
    return { results: results.map((result) => result.result), ms: Date.now() - started };
  },
  async types(env) {
    return { types: await env.EXECUTOR.types() };
  },
};

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).pathname.slice(1);
    const scenario = SCENARIOS[name] ?? OPEN_SCENARIOS[name];
    if (!scenario) return Response.json({ scenarios: Object.keys(SCENARIOS) }, { status: 404 });
    try {
      return Response.json(await scenario(env));
    } catch (error) {
      const e = error as Error & { code?: unknown };
      return Response.json({ thrown: { name: e.name, message: e.message, code: e.code } }, { status: 500 });
    }
  },
} satisfies ExportedHandler<Env>;
