/**
 * The executor over capnweb (`/rpc`, HTTP batch and WebSocket), for browsers and Node clients.
 * Clients pass their tools as capnweb RpcTargets; calls on unawaited results are pipelined, so
 * `api.compile({ code }).run({ args })` is one round trip.
 *
 * With API keys configured, a client that did not send `Authorization: Bearer <key>` (a browser's
 * WebSocket cannot) gets a main object that only offers `authenticate(key)`, which returns the
 * executor: `api.authenticate(key).execute(...)`, still one round trip.
 */

import { RpcTarget } from "capnweb";
import type { Env } from "../env";
import { RUNTIME_TYPES } from "../generated/prelude";
import { identify } from "../http/auth";
import { takeRequest } from "../http/rate-limit";
import type { Caller } from "../tenancy/keys";
import { ConcurrencyGate } from "./gate";
import { openRemote } from "./remote";
import { type AgentContext, executeForAgent, MAX_OPEN_OBJECTS, OpenObjects } from "./session";

interface SessionContext {
  env: Env;
  exports: Cloudflare.Exports;
  requestId: string;
}

export class ExecutorApi extends RpcTarget {
  private readonly gate = new ConcurrencyGate();
  private readonly openObjects = new OpenObjects(MAX_OPEN_OBJECTS);

  constructor(
    private readonly session: SessionContext,
    private readonly caller: Caller,
  ) {
    super();
  }

  /** Runs code as POST /execute does; `tools` may be an RpcTarget of the client's, `onLog` a function. */
  async execute(options: unknown): Promise<Record<string, unknown>> {
    await takeRequest(this.session.env, this.caller);
    return executeForAgent(options, this.context());
  }

  /**
   * Opens an export of the code for RPC: `const counter = api.open({ code, export: "Counter" })`,
   * then `await counter.increment()` (pipelined: one round trip for both).
   */
  async open(options: unknown): Promise<unknown> {
    await takeRequest(this.session.env, this.caller);
    return openRemote(options, this.context());
  }

  /** A snippet to run many times with different args: `api.compile({ code }).run({ args })`. */
  compile(options: unknown): CompiledSnippet {
    return new CompiledSnippet(this, options);
  }

  /** The `$` type definitions (as GET /types serves them). */
  types(): string {
    return RUNTIME_TYPES;
  }

  private context(): AgentContext {
    const { env } = this.session;
    const caller = this.caller;
    return {
      ...this.session,
      caller,
      gate: this.gate,
      capnweb: true,
      openObjects: this.openObjects,
      // Each call on an opened object is a run, so it counts as a request, as an execute does.
      admit: () => takeRequest(env, caller),
    };
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
  constructor(private readonly session: SessionContext) {
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
export async function mainFor(session: SessionContext, key: string | undefined): Promise<ExecutorApi | Gatekeeper> {
  try {
    return new ExecutorApi(session, await identify(session.env, key));
  } catch {
    return new Gatekeeper(session);
  }
}
