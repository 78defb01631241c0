/**
 * Scenarios for RPC on a module's exports (`env.EXECUTOR.open(...)`): the agent holds stubs of
 * objects that live in the sandbox, calls them, pipelines on them and passes them callbacks.
 */

interface LogEntry {
  level: string;
  message: string;
  ms: number;
}

export interface OpenExecutor {
  open(options: Record<string, unknown>): Promise<unknown>;
}

/** A room (a WorkerEntrypoint with props) that hands out sessions (RpcTargets with state). */
export const CHAT = `import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";

class QuotaError extends Error {
  constructor(limit) {
    super("Only " + limit + " items per session");
    this.name = "QuotaError";
    this.code = "E_QUOTA";
    this.details = { limit };
  }
}

class Session extends RpcTarget {
  constructor(room, user) {
    super();
    this.room = room;
    this.user = user;
    this.items = [];
  }
  add(item) {
    if (this.items.length >= 3) throw new QuotaError(3);
    this.items.push(item);
    console.log(this.user + " added " + item);
    return this.items.length;
  }
  list() {
    return { room: this.room, user: this.user, items: this.items };
  }
  spin() {
    while (true) {}
  }
}

export class Chat extends WorkerEntrypoint {
  join(user) {
    return new Session(this.ctx.props.room, user);
  }
  async each(values, fn) {
    const out = [];
    for (const value of values) out.push(await fn(value));
    return out;
  }
  adder(n) {
    return (x) => x + n;
  }
  async remember(key, value) {
    await $.kv.put("open/" + key, JSON.stringify(value));
    return JSON.parse(await $.kv.get("open/" + key));
  }
  tenant() {
    return $.ctx.tenant;
  }
  pair() {
    return { left: new Session("l", "a"), right: [new Session("r", "b")], plain: 1 };
  }
  leak() {
    return new (class Point { constructor() { this.x = 1; } })();
  }
}

export class Counter extends RpcTarget {
  constructor(start) {
    super();
    this.count = start;
  }
  increment(by = 1) {
    this.count += by;
    return this.count;
  }
}
`;

interface Session {
  add(item: string): Promise<number>;
  list(): Promise<{ room: string; user: string; items: string[] }>;
  spin(): Promise<never>;
}

interface Chat {
  join(user: string): Session & Promise<Session>;
  each(values: number[], fn: (value: number) => unknown): Promise<unknown[]>;
  adder(n: number): Promise<(x: number) => Promise<number>>;
  remember(key: string, value: unknown): Promise<unknown>;
  tenant(): Promise<string>;
  pair(): Promise<{ left: Session; right: Session[]; plain: number }>;
  leak(): Promise<unknown>;
}

function chat(
  env: { EXECUTOR: OpenExecutor },
  room = "lobby",
  extra: Record<string, unknown> = {},
): Chat & Promise<Chat> {
  return env.EXECUTOR.open({ code: CHAT, export: "Chat", props: { room }, ...extra }) as unknown as Chat &
    Promise<Chat>;
}

/** What a rejected call looked like on this side of the binding. */
function caught(error: unknown): Record<string, unknown> {
  const e = error as Error & Record<string, unknown>;
  return { ...e, name: e.name, message: e.message };
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    return { resolved: await promise };
  } catch (error) {
    return caught(error);
  }
}

export const OPEN_SCENARIOS: Record<string, (env: { EXECUTOR: OpenExecutor }) => Promise<unknown>> = {
  async "open-session"(env) {
    const room = await chat(env, "lobby");
    const ann = await room.join("ann");
    const bob = await room.join("bob");
    const counts = [await ann.add("tea"), await ann.add("cake"), await bob.add("coffee")];
    const other = await chat(env, "garden");
    const fresh = await (await other.join("ann")).list();
    return { counts, ann: await ann.list(), bob: await bob.list(), fresh };
  },
  async "open-pipelined"(env) {
    // No await until the end: join() and add() are sent before open() has answered.
    const count = await chat(env, "pipes").join("ann").add("first");
    const list = await chat(env, "pipes").join("bob").list();
    return { count, list };
  },
  async "open-callback"(env) {
    const seen: number[] = [];
    const room = await chat(env);
    const result = await room.each([1, 2, 3], (value) => {
      seen.push(value);
      return value * 10;
    });
    const add5 = await room.adder(5);
    return { result, seen, added: await add5(37) };
  },
  async "open-errors"(env) {
    const session = await chat(env).join("ann");
    await session.add("1");
    await session.add("2");
    await session.add("3");
    const quota = await rejection(session.add("4"));
    const started = Date.now();
    const timeout = await rejection(session.spin());
    const spinMs = Date.now() - started;
    const after = await session.list();
    const missing = await rejection(env.EXECUTOR.open({ code: CHAT, export: "Room" }));
    const syntax = await rejection(env.EXECUTOR.open({ code: "export class A {\n  m() { return 1 +; }\n}" }));
    const leak = await rejection(chat(env).leak());
    return { quota, timeout, spinMs, after, missing, syntax, leak };
  },
  async "open-runtime"(env) {
    const room = await chat(env);
    return { remembered: await room.remember("k", { n: 1 }), tenant: await room.tenant() };
  },
  async "open-nested"(env) {
    const { left, right, plain } = await chat(env).pair();
    return { left: await left.add("x"), right: await (right[0] as Session).list(), plain };
  },
  async "open-class"(env) {
    const counter = (await env.EXECUTOR.open({ code: CHAT, export: "Counter", args: [10] })) as {
      increment(by?: number): Promise<number>;
    };
    return { counts: [await counter.increment(), await counter.increment(5)] };
  },
  async "open-object"(env) {
    const greeter = (await env.EXECUTOR.open({
      code: 'export default { greet(name) { return "hello " + name } }',
    })) as { greet(name: string): Promise<string> };
    const double = (await env.EXECUTOR.open({ code: "(x) => x * 2" })) as (x: number) => Promise<number>;
    return { greeting: await greeter.greet("ann"), doubled: await double(21) };
  },
  async "open-modules"(env) {
    const counter = (await env.EXECUTOR.open({
      modules: {
        "index.ts": 'export { Counter } from "./counter.ts";\nexport const version = 1;',
        "counter.ts":
          'import { RpcTarget } from "cloudflare:workers";\nexport class Counter extends RpcTarget {\n  n = 0;\n  bump(): number {\n    return ++this.n;\n  }\n}',
      },
      mainModule: "index.ts",
      export: "Counter",
    })) as { bump(): Promise<number> };
    return { bumps: [await counter.bump(), await counter.bump()] };
  },
  async "open-logs"(env) {
    const seen: LogEntry[] = [];
    const session = await chat(env, "logs", { onLog: (entry: LogEntry) => void seen.push(entry) }).join("ann");
    await session.add("tea");
    await session.add("cake");
    return { seen: seen.map((entry) => entry.message) };
  },
  async "open-invalid"(env) {
    return {
      notObject: await rejection(env.EXECUTOR.open("export class A {}" as unknown as Record<string, unknown>)),
      args: await rejection(env.EXECUTOR.open({ code: CHAT, export: "Counter", args: 10 })),
      tools: await rejection(env.EXECUTOR.open({ code: CHAT, tools: {} })),
    };
  },
};
