/**
 * The capnweb door (`/rpc`, HTTP batch and WebSocket), for browsers and Node clients. Clients pass
 * their tools as capnweb RpcTargets; calls on unawaited results are pipelined, so
 * `api.compile({ code }).run({ args })` is one round trip.
 *
 * With API keys configured, a client that did not send `Authorization: Bearer <key>` (a browser's
 * WebSocket cannot) gets a main object that only offers `authenticate(key)`, which returns the
 * executor: `api.authenticate(key).execute(...)`, still one round trip.
 */

import { RpcTarget } from "capnweb";
import type { Env } from "../env";
import { RUNTIME_TYPES } from "../generated/prelude";
import { type InvocationContext, invocationContext } from "../invoke/context";
import { MAX_OPEN_OBJECTS, OpenObjects } from "../invoke/open-objects";
import { executionObject } from "../invoke/report";
import { parseAgentRun, runSnippet } from "../invoke/run";
import { identify } from "../tenancy/authenticate";
import type { Caller } from "../tenancy/keys";
import { openRemote } from "./rpc-objects";

/** What a capnweb session (one WebSocket, or one HTTP batch) runs with, whoever authenticates in it. */
export interface SessionInfo {
  env: Env;
  exports: Cloudflare.Exports;
  requestId: string;
  waitUntil(promise: Promise<unknown>): void;
}

export class ExecutorApi extends RpcTarget {
  /** One context for the session: its executions share one gate, and each counts against the tier. */
  readonly #context: InvocationContext;
  readonly #openObjects = new OpenObjects(MAX_OPEN_OBJECTS);

  constructor(session: SessionInfo, caller: Caller) {
    super();
    this.#context = invocationContext({ ...session, caller });
  }

  /** Runs code as POST /execute does; `tools` may be an RpcTarget of the client's, `onLog` a function. */
  async execute(options: unknown): Promise<Record<string, unknown>> {
    const { request, bridges } = parseAgentRun(options, this.#context, true);
    return executionObject(await runSnippet(this.#context, request, bridges));
  }

  /**
   * Opens an export of the code for RPC: `const counter = api.open({ code, export: "Counter" })`,
   * then `await counter.increment()` (pipelined: one round trip for both).
   */
  open(options: unknown): Promise<unknown> {
    return openRemote(options, this.#context, { capnweb: true, openObjects: this.#openObjects });
  }

  /** A snippet to run many times with different args: `api.compile({ code }).run({ args })`. */
  compile(options: unknown): CompiledSnippet {
    return new CompiledSnippet(this, options);
  }

  /** The `$` type definitions (as GET /types serves them). */
  types(): string {
    return RUNTIME_TYPES;
  }
}

export class CompiledSnippet extends RpcTarget {
  constructor(
    private readonly api: ExecutorApi,
    private readonly source: unknown,
  ) {
    super();
  }

  /** Runs the snippet with these options (`args`, `timeoutMs`, `tools`, `onLog`). */
  run(options: unknown = {}): Promise<Record<string, unknown>> {
    const source = typeof this.source === "object" && this.source !== null ? this.source : {};
    const extra = typeof options === "object" && options !== null ? options : {};
    return this.api.execute({ ...source, ...extra });
  }
}

/** What a client without a key sees when keys are configured. */
export class Gatekeeper extends RpcTarget {
  constructor(private readonly session: SessionInfo) {
    super();
  }

  async authenticate(key: unknown): Promise<ExecutorApi> {
    const caller = await identify(this.session.env, typeof key === "string" ? key : undefined);
    return new ExecutorApi(this.session, caller);
  }

  types(): string {
    return RUNTIME_TYPES;
  }
}

/** The main object of a capnweb session: the executor, or the gatekeeper when a key is needed first. */
export async function mainFor(session: SessionInfo, key: string | undefined): Promise<ExecutorApi | Gatekeeper> {
  try {
    return new ExecutorApi(session, await identify(session.env, key));
  } catch {
    return new Gatekeeper(session);
  }
}
