/**
 * RPC on a module's exports, for Workers RPC (`env.EXECUTOR.open(...)`) and capnweb (`api.open(...)`)
 * callers: `open` compiles the code, evaluates it once in a sandbox and answers a stub of the chosen
 * export (a class is instantiated; an object answers its methods; a function is called itself).
 *
 * The client never holds a stub into the sandbox. Every object it gets is a `RemoteObject` here,
 * whose methods forward to the sandbox's handle as one run each: its own deadline (the host's
 * backstop included), fuel, `$` for the caller's tenant and tier, logs to `onLog`. Errors come back
 * thrown, located in the submitted code (line, column, frame, file) with their own properties;
 * RpcTargets and functions the user's code returns become further `RemoteObject`s and functions,
 * so sessions can hand out sessions, and calls on unawaited results are pipelined by the protocol.
 */

import { RpcTarget } from "cloudflare:workers";
import type { ExecutionLimits } from "../../shared/limits";
import type {
  CallOutcome,
  HandleApi,
  HandleRef,
  LogEntry,
  OpenTarget,
  RunRequest,
  SandboxEntrypoint,
} from "../../shared/protocol";
import type { CompiledUnit } from "../compile";
import { normalizeLineEndings } from "../compile/fence";
import type { SubmittedModules } from "../compile/input";
import { describeType, ServiceError } from "../errors";
import { compileInput, runRequest, sandboxFor } from "../execute";
import { readVersion } from "../functions/store";
import { missing, parseName, parseVersion } from "../http/routes/functions";
import { limitsForTier, parseExecuteRequest } from "../http/validate";
import { type ExecutionError, runError, syntaxError } from "../report";
import { failed, vettedError, withBackstop } from "../run/run";
import { getService } from "../service";
import { LogBridge } from "./bridges";
import type { AgentContext } from "./session";

/** The options of `open`: POST /execute's code fields (or a stored function), which export, and how to instantiate it. */
export interface OpenOptions {
  /** A stored function of the caller's tenant, instead of code: its latest version or `version`. */
  function?: string;
  version?: string;
  code?: string;
  modules?: Record<string, string>;
  mainModule?: string;
  language?: "typescript" | "javascript";
  /** Milliseconds each call on the object (and the evaluation itself) may take. */
  timeoutMs?: number;
  network?: "none" | { allow: string[] };
  /** The export to open: `default` (the default export, or the code's completion value) unless named. */
  export?: string;
  /** Constructor arguments when the export is a class. */
  args?: unknown[];
  /** `this.ctx.props` when the export extends `WorkerEntrypoint`. */
  props?: unknown;
  /** Called with every log entry of every call, as it happens. */
  onLog?: (entry: LogEntry) => unknown;
}

const MAX_EXPORT_NAME = 200;

export async function openRemote(options: unknown, context: AgentContext): Promise<unknown> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ServiceError(
      "invalid_request",
      `open() takes an options object such as { code: "export class Counter { ... }", export: "Counter" }, got ${describeType(options)}.`,
    );
  }
  const {
    export: name = "default",
    args = [],
    props = {},
    onLog,
    ...json
  } = options as OpenOptions & {
    tools?: unknown;
  };
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_EXPORT_NAME) {
    throw new ServiceError("invalid_request", `\`export\` must name an export (a string), got ${describeType(name)}.`);
  }
  if (!Array.isArray(args)) {
    throw new ServiceError(
      "invalid_request",
      `\`args\` must be an array of constructor arguments, got ${describeType(args)}.`,
    );
  }
  if (onLog !== undefined && typeof onLog !== "function") {
    throw new ServiceError("invalid_request", `\`onLog\` must be a function, got ${describeType(onLog)}.`);
  }
  if ("tools" in json) {
    throw new ServiceError(
      "invalid_request",
      "open() takes no `tools`: pass objects and functions to the methods you call instead.",
    );
  }
  // Held until the opened object is released (RemoteObject's dispose), or given back on failure.
  context.openObjects?.take();
  let held = false;
  try {
    const opened = await openValidated({ name, args, props, onLog, json }, context);
    held = isRemoteObject(opened);
    return opened;
  } finally {
    if (!held) context.openObjects?.release();
  }
}

async function openValidated(
  options: {
    name: string;
    args: unknown[];
    props: unknown;
    onLog?: OpenOptions["onLog"];
    json: Record<string, unknown>;
  },
  context: AgentContext,
): Promise<unknown> {
  const { name, args, props, onLog, json } = options;
  const { compiler, sandboxes, limits: serviceLimits } = getService(context.env);
  const limits = limitsForTier(serviceLimits, context.caller.tier);
  const { fields, modules } = await storedCode(json, context);
  const parsed = parseExecuteRequest(fields, limits);
  const request = modules ? { ...parsed, modules } : parsed;
  const source = normalizeLineEndings(request.code);
  const compiled = await compiler.compile(compileInput(request), request.network, { tenant: context.caller.tenant });
  if (!compiled.ok) throw thrownError(syntaxError(compiled.diagnostics, source, request.modules), []);
  const { exports } = context;
  const { caller } = context;
  const session = new RemoteSession({
    context,
    unit: compiled.unit,
    source,
    sandbox: sandboxFor(
      {
        sandboxes,
        caller,
        loader: context.env.LOADER,
        outbound: (allow) => exports.Outbound({ props: { allow } }),
      },
      compiled,
      request.network,
    ),
    timeoutMs: request.timeoutMs,
    cpuMs: Math.min(request.timeoutMs, caller.tier.cpuMs),
    allow: request.network === "none" ? [] : request.network.allow,
    limits,
    // A stub passed to a call is released when the call returns; the session keeps its own copy.
    ...(onLog && { logSink: new LogBridge(duplicate(onLog)) }),
  });
  try {
    return await session.open({ export: name, args: args.map((arg) => session.outgoing(arg)), props });
  } catch (error) {
    // Nothing was opened: the caller's log callback is released now, not with an object.
    session.options.logSink?.close();
    throw error;
  }
}

/**
 * The code fields of the options: as given, or a stored function's version (the caller's tenant
 * only), with the run options (`timeoutMs`, `network`) from the caller.
 */
async function storedCode(
  json: Record<string, unknown>,
  context: AgentContext,
): Promise<{ fields: Record<string, unknown>; modules?: SubmittedModules }> {
  const { function: name, version, ...rest } = json;
  if (name === undefined) {
    if (version !== undefined) {
      throw new ServiceError("invalid_request", "`version` needs `function`: the stored function it is a version of.");
    }
    return { fields: rest };
  }
  for (const field of ["code", "modules", "mainModule", "language"]) {
    if (field in rest) {
      throw new ServiceError(
        "invalid_request",
        `Send either \`function\` (a stored function) or \`${field}\`, not both.`,
      );
    }
  }
  const stored = await readVersion(
    context.env.DB,
    context.caller.tenant,
    parseName(name),
    version === undefined ? undefined : parseVersion(String(version)),
  );
  if (!stored) throw missing(String(name), version === undefined ? undefined : String(version));
  // As invoke does: the code is the stored version's (already validated when stored), the run options the caller's.
  const fields = { ...rest, code: stored.code, language: stored.language };
  return stored.modules ? { fields, modules: stored.modules } : { fields };
}

interface SessionOptions {
  context: AgentContext;
  unit: CompiledUnit;
  /** The submitted code, for locating errors. */
  source: string;
  sandbox: WorkerStub;
  timeoutMs: number;
  cpuMs: number;
  allow: string[];
  limits: ExecutionLimits;
  logSink?: LogBridge;
}

/** One opened export: its sandbox, and how every call into it is made and answered. */
class RemoteSession {
  /** Whether the opened object itself has been made (the one whose release ends the session). */
  private opened = false;

  constructor(readonly options: SessionOptions) {}

  async open(target: OpenTarget): Promise<unknown> {
    return this.decode(await this.invoke((entrypoint, request) => entrypoint.open(request, target)));
  }

  async call(handle: HandleApi, method: string | null, args: unknown[]): Promise<unknown> {
    await this.options.context.admit?.();
    const outgoing = args.map((arg) => this.outgoing(arg));
    return this.decode(await this.invoke((_entrypoint, request) => handle.call(request, method, outgoing)));
  }

  /**
   * An argument on its way into the sandbox. Workers RPC stubs pass as they are; a capnweb stub
   * cannot cross Workers RPC, so a function becomes a host function that calls it.
   */
  outgoing(value: unknown): unknown {
    if (this.options.context.capnweb && typeof value === "function") {
      const callback = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => callback(...args);
    }
    return value;
  }

  private async invoke(
    call: (entrypoint: SandboxEntrypoint, request: RunRequest) => Promise<CallOutcome>,
  ): Promise<CallOutcome> {
    const { context, sandbox, timeoutMs, cpuMs, allow, limits, logSink } = this.options;
    const request: RunRequest = {
      ...runRequest(
        {
          runtime: (props) => context.exports.Runtime({ props }),
          limits,
          caller: context.caller,
          requestId: context.requestId,
        },
        { args: "null", timeoutMs, allow },
      ),
      ...(logSink && { logSink }),
    };
    const run = async () => {
      const { outcome } = await withBackstop(
        { sandbox, timeoutMs, cpuMs, limits },
        (entrypoint) => call(entrypoint, request),
        (started, error) => failed(started, error) as CallOutcome,
      );
      return outcome;
    };
    // Calls share the request's (session's) limit on sandboxes in flight with its executions.
    return context.gate.run(run);
  }

  /** The sandbox's answer, checked as untrusted input: the value with its handles made callable, or the error thrown. */
  private decode(outcome: CallOutcome): unknown {
    const { unit, source } = this.options;
    if (outcome?.type === "error" && typeof outcome.error === "object" && outcome.error !== null) {
      throw thrownError(runError(vettedError(outcome.error), unit, source), outcome.logs);
    }
    if (outcome?.type !== "result" || !Array.isArray(outcome.handles)) {
      throw thrownError(
        {
          kind: "runtime",
          name: "SandboxError",
          message: "The sandbox answered something that is not a call outcome.",
        },
        [],
      );
    }
    let value = outcome.value;
    for (const entry of outcome.handles) {
      const remote = this.remote(entry?.ref);
      const path = entry?.path;
      if (!Array.isArray(path) || path.length === 0) value = remote;
      else place(value, path, remote);
    }
    return value;
  }

  private remote(ref: HandleRef | undefined): unknown {
    if (typeof ref !== "object" || ref === null || !ref.handle) {
      throw thrownError(
        { kind: "runtime", name: "SandboxError", message: "The sandbox answered a malformed handle." },
        [],
      );
    }
    const { handle } = ref;
    if (ref.callable === true) return (...args: unknown[]) => this.call(handle, null, args);
    const methods = Array.isArray(ref.methods) ? ref.methods.filter(isMethodName).slice(0, MAX_METHODS) : [];
    const Remote = remoteClass(methods);
    const root = !this.opened;
    this.opened = true;
    return new Remote(this, handle, root);
  }

  private closed = false;

  /** Ends the session (its root object was released): log forwarding stops, the slot is free. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.logSink?.close();
    this.options.context.openObjects?.release();
  }
}

/** A copy of an RPC stub that outlives the call it came with (Workers RPC and capnweb alike). */
function duplicate<T>(stub: T): T {
  const dup = (stub as { dup?: () => T }).dup;
  return typeof dup === "function" ? Reflect.apply(dup, stub, []) : stub;
}

/** Puts `value` at `path` inside `root` (plain arrays and objects from the sandbox). */
function place(root: unknown, path: unknown[], value: unknown): void {
  let container = root;
  for (let index = 0; index < path.length - 1; index++) {
    const key = path[index];
    if (typeof container !== "object" || container === null || (typeof key !== "string" && typeof key !== "number"))
      return;
    container = (container as Record<string | number, unknown>)[key];
  }
  const last = path.at(-1);
  if (typeof container === "object" && container !== null && (typeof last === "string" || typeof last === "number")) {
    Object.defineProperty(container, last, { value, enumerable: true, writable: true, configurable: true });
  }
}

const MAX_METHODS = 200;
const METHOD_NAME = /^[A-Za-z_$][\w$]{0,99}$/;
const RESERVED = new Set(["constructor", "then", "catch", "finally", "dup", "onRpcBroken", "__proto__"]);

function isMethodName(name: unknown): name is string {
  return typeof name === "string" && METHOD_NAME.test(name) && !RESERVED.has(name);
}

type RemoteClass = new (session: RemoteSession, handle: HandleApi, root: boolean) => RpcTarget;

interface Remote {
  session: RemoteSession;
  handle: HandleApi;
  /** The opened object itself: releasing it ends the session's log forwarding. */
  root: boolean;
}

/** Each object's session and handle, out of reach of the method names its prototype carries. */
const remotes = new WeakMap<object, Remote>();

/** An object `open` answered (not a function, whose release cannot be observed). */
function isRemoteObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && remotes.has(value);
}
/** Classes by method list; bounded, since the lists come from users' code. */
const classes = new Map<string, RemoteClass>();
const MAX_CLASSES = 1_000;

/** An RpcTarget class whose prototype has exactly these methods, each forwarding to the sandbox. */
function remoteClass(methods: string[]): RemoteClass {
  const key = methods.join(",");
  const known = classes.get(key);
  if (known) return known;
  class RemoteObject extends RpcTarget {
    constructor(session: RemoteSession, handle: HandleApi, root: boolean) {
      super();
      remotes.set(this, { session, handle, root });
    }

    [Symbol.dispose](): void {
      const remote = remotes.get(this);
      if (!remote) return;
      remotes.delete(this);
      if (remote.root) remote.session.close();
      try {
        (remote.handle as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
      } catch {
        // Already released.
      }
    }
  }
  for (const name of methods) {
    Object.defineProperty(RemoteObject.prototype, name, {
      value: function (this: object, ...args: unknown[]) {
        const remote = remotes.get(this);
        if (!remote) throw new ServiceError("invalid_request", "This object was released; open the module again.");
        return remote.session.call(remote.handle, name, args);
      },
      enumerable: false,
      writable: false,
      configurable: false,
    });
  }
  if (classes.size >= MAX_CLASSES) classes.clear();
  classes.set(key, RemoteObject);
  return RemoteObject;
}

/**
 * The error a client's call rejects with: the name and message of what the code threw, its own
 * properties, and where it happened in the submitted code (`line`, `column`, `file`, `frame`,
 * mapped `stack`), plus the call's `logs` when there were any.
 */
function thrownError(error: ExecutionError, logs: LogEntry[]): Error {
  const thrown = new Error(error.message);
  thrown.name = error.name;
  for (const [key, value] of Object.entries(error)) {
    if (key === "name" || key === "message" || key === "stack") continue;
    Object.defineProperty(thrown, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (Array.isArray(logs) && logs.length > 0) {
    Object.defineProperty(thrown, "logs", { value: logs, enumerable: true, writable: true, configurable: true });
  }
  thrown.stack = error.stack ?? `${error.name}: ${error.message}`;
  return thrown;
}
