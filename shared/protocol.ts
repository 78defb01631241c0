/**
 * The host↔isolate protocol.
 *
 * The host compiles a submission into one ES module, `unit.js`, and loads it through the Worker
 * Loader next to the prebuilt runtime prelude, `prelude.js`, which is the isolate's main module.
 * The isolate is cached by content hash and may serve many runs, even concurrently, so it holds
 * nothing about any caller: everything per-request travels in the `InvocationRequest` of each call.
 *
 *   host → isolate   `run(InvocationRequest)`, a Workers RPC call on the prelude's default entrypoint
 *   isolate → host   resolves with a `RunOutcome`; user-code failures are data, never a rejection
 *   host → isolate   `serve(Request, InvocationRequest)` for `/fn/:name/*`: the unit's default export
 *                    must be an object with a `fetch` method, called with the request (no `args`)
 *   isolate → host   resolves with a `ServeOutcome`: the handler's `Response`, or why there is none
 *   host → isolate   `open(InvocationRequest, OpenTarget)` for RPC on an export: evaluates the unit
 *                    once, instantiates the export (a class) and answers a `CallOutcome` holding a handle
 *   host → isolate   `handle.call(InvocationRequest, method, args)`: one call on that object, its own
 *                    run; objects and functions in the answer come back as further handles
 *
 * Every one of these can end in the same `ErrorOutcome`, which is also what the host reports when
 * the isolate does not answer at all.
 *
 * Values cross as JSON text (`args`, `result`, error properties) so both sides agree byte for byte
 * on what was sent, sizes are exact, and the host never re-encodes a result.
 *
 * Inside the isolate the prelude calls the compiled module's default export once per run with a
 * fresh `SnippetRuntime`; the module re-evaluates the user's top level on every call, so runs of the
 * same code share no user state.
 */

import type { SandboxLimits } from "./limits";
import type { LogSinkApi, RuntimeApi, ToolsApi } from "./runtime-api";

/** File names of the modules handed to the Worker Loader. */
export const PRELUDE_MODULE = "prelude.js";
export const UNIT_MODULE = "unit.js";

/**
 * How the prelude turns the snippet's completion value into the result.
 * - `value`: the value is the result.
 * - `call`: the value is a function (a function expression, a lone function declaration or an
 *   `export default` function); it is called with `args` and its (awaited) return is the result.
 *   A non-function value under `call` is returned as is, as `export default 42` must be.
 */
export type RunMode = "value" | "call";

/** What every call into the isolate carries (run, serve, open and each call on an opened object). */
export interface InvocationRequest {
  type: "run";
  /** JSON text of the request's `args`. */
  args: string;
  /** Milliseconds the run may take, measured from when the isolate receives the call. */
  timeoutMs: number;
  limits: SandboxLimits;
  /** Echoed into `$.ctx`. */
  requestId: string;
  /** The caller's tenant, echoed into `$.ctx`; the host scopes every `$` call to it. */
  tenant: string;
  /**
   * A stub of the host's `RuntimeHost` entrypoint made for this run only: `$` calls go through it.
   * Never part of the cached WorkerCode, so an isolate keeps no caller's capabilities.
   */
  runtime: RuntimeApi;
  /** The manifest services; each becomes `$.<name>` (the host checks the caller may use it). */
  services: string[];
  /** The caller's tools, for `$.tools.<name>()` (RPC and capnweb callers). */
  tools?: ToolsApi;
  /** Where log entries go as they happen (streaming callers); they are also returned at the end. */
  logSink?: LogSinkApi;
}

/** The former name of `InvocationRequest` (it is sent for serve, open and call too, not only run). */
export type RunRequest = InvocationRequest;

/** One call a snippet made through `$`, for the `calls` trace of the response. */
export interface CallRecord {
  name: string;
  ms: number;
  ok: boolean;
}

export type ErrorKind = "syntax" | "runtime" | "timeout" | "resource";

export interface LogEntry {
  level: LogLevel;
  message: string;
  /** Milliseconds since the run started. */
  ms: number;
}

export type LogLevel = "log" | "info" | "warn" | "error" | "debug";

/** An error raised while the snippet ran, as the isolate saw it (positions not yet mapped). */
export interface SandboxError {
  kind: Exclude<ErrorKind, "syntax">;
  name: string;
  message: string;
  /** V8 stack text; frames in the user's code read `unit.js:line:column` (generated coordinates). */
  stack?: string;
  /** JSON text of the thrown error's own enumerable, JSON-representable properties, if any. */
  props?: string;
}

/** How any call into the isolate ends when the code failed, hit a limit, or the isolate did not answer. */
export interface ErrorOutcome {
  type: "error";
  error: SandboxError;
  logs: LogEntry[];
  calls: CallRecord[];
  /** Milliseconds the isolate spent between receiving the call and answering. */
  runMs: number;
}

export type RunOutcome =
  | {
      type: "result";
      /** JSON text of the encoded result; absent when the value was `undefined`. */
      result?: string;
      logs: LogEntry[];
      calls: CallRecord[];
      runMs: number;
    }
  | ErrorOutcome;

/**
 * What `serve` answers: the fetch handler's `Response` (its body may still be streaming), the
 * default export when it has no `fetch` method (`got` describes it), or the error of the run.
 */
export type ServeOutcome =
  | { type: "response"; response: Response; logs: LogEntry[]; calls: CallRecord[]; runMs: number }
  | { type: "no-handler"; got: string; logs: LogEntry[]; calls: CallRecord[]; runMs: number }
  | ErrorOutcome;

/** Which export `open` makes callable, and how to instantiate it when it is a class. */
export interface OpenTarget {
  /** The export's name; `default` is the default export or, without one, the code's completion value. */
  export: string;
  /** Constructor arguments for a class (values cross as Workers RPC values: stubs and functions too). */
  args: unknown[];
  /** `this.ctx.props` of a `WorkerEntrypoint` subclass. */
  props: unknown;
}

/** An object (or function) inside the sandbox that the host calls on behalf of an RPC client. */
export interface HandleApi {
  /** Calls `method` (or the function itself, when `method` is null) as one run with its own deadline. */
  call(request: InvocationRequest, method: string | null, args: unknown[]): Promise<CallOutcome>;
}

/** A handle as it crosses to the host: what it can be called with. */
export interface HandleRef {
  handle: HandleApi;
  /** The method names it answers (empty for a function). */
  methods: string[];
  /** A function: called itself, with `method` null. */
  callable: boolean;
}

/**
 * The answer to `open` and `call`: the returned value, with every RpcTarget and function in it
 * replaced by `null` and listed in `handles` with its path in the value (`[]` for the value itself).
 */
export type CallOutcome =
  | {
      type: "result";
      value: unknown;
      handles: { path: (string | number)[]; ref: HandleRef }[];
      logs: LogEntry[];
      calls: CallRecord[];
      runMs: number;
    }
  | ErrorOutcome;

/** The prelude's default entrypoint, as the host calls it over RPC. */
export interface SandboxEntrypoint {
  /** Evaluates the unit and makes one of its exports callable over RPC (see `OpenTarget`). */
  open(request: InvocationRequest, target: OpenTarget): Promise<CallOutcome>;
  run(request: InvocationRequest): Promise<RunOutcome>;
  /** Evaluates the unit and passes `http` to its default export's `fetch(request, env, ctx)`. */
  serve(http: Request, request: InvocationRequest): Promise<ServeOutcome>;
}

/** The default export of `unit.js`: evaluates the user's code once, for one run. */
export type SnippetMain = (runtime: SnippetRuntime) => Promise<unknown>;

/** What the compiled snippet receives from the prelude for one run. */
export interface SnippetRuntime {
  args: unknown;
  $: unknown;
  console: Console;
  /**
   * Called every `FUEL_SLICE` work units by instrumented loops and function entries. Returns 0 to
   * reset the caller's counter, or throws when the run is over (deadline, fuel, or already ended).
   */
  tick: () => number;
  /** Set by the unit when it has exports: reads them once the body has run (for `open`). */
  exports?: () => Record<string, unknown>;
}

/** Work units between two `tick()` calls from instrumented code. */
export const FUEL_SLICE = 1_000;

/**
 * The global through which instrumented files imported by a multi-file unit reach `tick` (the main
 * module gets it as an argument). Read-only and non-configurable; calling it only spends the
 * current run's fuel.
 */
export const TICK_GLOBAL = "__functions_do_tick";
