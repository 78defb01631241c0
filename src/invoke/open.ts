/**
 * Opens an export of a module for RPC and calls its methods (`open` over Workers RPC and capnweb):
 * the code is prepared as for a run, evaluated once in the sandbox, and the chosen export kept
 * behind a handle there. Each method call is an invocation of its own: admitted against the tier,
 * under its own deadline and the host's backstop, with `$` for the caller, its answer vetted and
 * its errors located in the submitted code. How handles become objects a client holds is the door's.
 */

import type {
  CallOutcome,
  HandleApi,
  HandleRef,
  InvocationRequest,
  LogEntry,
  OpenTarget,
  SandboxEntrypoint,
} from "../../shared/protocol";
import { describeType, ServiceError } from "../errors";
import { parseName, parseVersion } from "../functions/names";
import { vetCall } from "../sandbox/vet";
import { LogBridge } from "./bridges";
import { callUnit } from "./call";
import type { InvocationContext } from "./context";
import type { OpenObjects } from "./open-objects";
import { type Prepared, prepare } from "./prepare";
import { type ExecutionError, runError } from "./report";
import { type CodeRequest, parseCodeRequest } from "./request";
import { storedVersion } from "./stored";

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

export interface OpenRequest {
  code: CodeRequest;
  target: OpenTarget;
  onLog?: OpenOptions["onLog"];
}

/** What `open` and each call answer: the value, with every handle in it listed by its path. */
export interface CallAnswer {
  value: unknown;
  handles: { path: (string | number)[]; ref: HandleRef }[];
}

type SandboxCall = (entrypoint: SandboxEntrypoint, request: InvocationRequest) => Promise<CallOutcome>;

const MAX_EXPORT_NAME = 200;

/** Validates `open`'s options; a stored function's code is read for the caller's tenant. */
export async function parseOpenRequest(options: unknown, context: InvocationContext): Promise<OpenRequest> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalid(
      `open() takes an options object such as { code: "export class Counter { ... }", export: "Counter" }, got ${describeType(options)}.`,
    );
  }
  const { export: name = "default", args = [], props = {}, onLog, ...json } = options as OpenOptions;
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_EXPORT_NAME) {
    throw invalid(`\`export\` must name an export (a string), got ${describeType(name)}.`);
  }
  if (!Array.isArray(args))
    throw invalid(`\`args\` must be an array of constructor arguments, got ${describeType(args)}.`);
  if (onLog !== undefined && typeof onLog !== "function") {
    throw invalid(`\`onLog\` must be a function, got ${describeType(onLog)}.`);
  }
  if ("tools" in json)
    throw invalid("open() takes no `tools`: pass objects and functions to the methods you call instead.");
  const code = await codeFields(json, context);
  return { code, target: { export: name, args, props }, ...(onLog && { onLog }) };
}

/**
 * The code fields as given, or a stored function's version (the caller's tenant only) with the
 * run options (`timeoutMs`, `network`) from the caller, as invoke does.
 */
async function codeFields(json: Record<string, unknown>, context: InvocationContext): Promise<CodeRequest> {
  const { function: name, version, ...rest } = json;
  if (name === undefined) {
    if (version !== undefined) throw invalid("`version` needs `function`: the stored function it is a version of.");
    return parseCodeRequest(rest, context.limits);
  }
  for (const field of ["code", "modules", "mainModule", "language"]) {
    if (field in rest) throw invalid(`Send either \`function\` (a stored function) or \`${field}\`, not both.`);
  }
  const pinned = version === undefined ? undefined : parseVersion(String(version));
  const stored = await storedVersion(context, parseName(name), pinned);
  const request = parseCodeRequest({ ...rest, code: stored.code, language: stored.language }, context.limits);
  return stored.modules ? { ...request, modules: stored.modules } : request;
}

/**
 * Opens the export: the session that makes every further call, and what the export answered.
 * With `openObjects`, a slot is held until the opened object is released (`session.close()`).
 */
export async function openExport(
  context: InvocationContext,
  request: OpenRequest,
  openObjects?: OpenObjects,
): Promise<{ session: OpenSession; answer: CallAnswer }> {
  openObjects?.take();
  let session: OpenSession | undefined;
  try {
    await context.admit();
    const prepared = await prepare(context, request.code);
    if (!prepared.ok) throw thrownError(prepared.error, []);
    // A stub passed to a call is released when the call returns; the session keeps its own copy.
    const logSink = request.onLog && new LogBridge(duplicate(request.onLog));
    session = new OpenSession(context, prepared, request.code.timeoutMs, logSink, openObjects);
    const answer = await session.invoke((entrypoint, call) => entrypoint.open(call, request.target));
    // Only an object is held (its release is observable); a function or a value frees the slot now.
    if (!answer.handles.some((entry) => !entry.ref.callable)) session.releaseSlot();
    return { session, answer };
  } catch (error) {
    // Nothing was opened: the caller's log callback and the slot are released now, not with an object.
    if (session) session.close();
    else openObjects?.release();
    throw error;
  }
}

/** One opened export: its sandbox, and how every call into it is made and answered. */
export class OpenSession {
  private closed = false;

  constructor(
    private readonly context: InvocationContext,
    private readonly prepared: Prepared,
    private readonly timeoutMs: number,
    private readonly logSink?: LogBridge,
    private openObjects?: OpenObjects,
  ) {}

  /** Calls `method` on a handle (the handle itself when null), as a new invocation. */
  async call(handle: HandleApi, method: string | null, args: unknown[]): Promise<CallAnswer> {
    await this.context.admit();
    return this.invoke((_entrypoint, call) => handle.call(call, method, args));
  }

  /** Makes the call in the sandbox; answers the vetted value, or throws the error located in the code. */
  invoke(call: SandboxCall): Promise<CallAnswer> {
    const options = { args: "null", timeoutMs: this.timeoutMs, ...(this.logSink && { logSink: this.logSink }) };
    return callUnit(this.context, this.prepared, options, call).then(({ outcome, started }) => {
      const vetted = vetCall(outcome, started);
      if (vetted.type === "error") {
        throw thrownError(runError(vetted.error, this.prepared.unit, this.prepared.source), vetted.logs);
      }
      return { value: vetted.value, handles: vetted.handles };
    });
  }

  /** Gives back the session's slot of open objects (once). */
  releaseSlot(): void {
    this.openObjects?.release();
    this.openObjects = undefined;
  }

  /** Ends the session (its opened object was released): log forwarding stops, the slot is free. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.logSink?.close();
    this.releaseSlot();
  }
}

/**
 * The error a client's call rejects with: the name and message of what the code threw, its own
 * properties, and where it happened in the submitted code (`line`, `column`, `file`, `frame`,
 * mapped `stack`), plus the call's `logs` when there were any.
 */
export function thrownError(error: ExecutionError, logs: LogEntry[]): Error {
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

/** A copy of an RPC stub that outlives the call it came with (Workers RPC and capnweb alike). */
function duplicate<T>(stub: T): T {
  const dup = (stub as { dup?: () => T }).dup;
  return typeof dup === "function" ? Reflect.apply(dup, stub, []) : stub;
}

function invalid(message: string): ServiceError {
  return new ServiceError("invalid_request", message);
}
