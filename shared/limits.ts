/**
 * Limits on one execution, shared by the host (which validates requests and enforces a backstop)
 * and the sandbox (which enforces them while user code runs). Every field names the abuse it
 * bounds; `DEFAULT_LIMITS` holds the defaults documented in docs/limits.md.
 */

export interface ExecutionLimits {
  /** Largest `code` accepted, in UTF-8 bytes. Bounds compile time and compile-cache memory per request. */
  codeBytes: number;
  /** Largest request body, in bytes. Bounds memory spent reading and parsing one request (code + args). */
  bodyBytes: number;
  /** Deadline used when a request gives no `timeoutMs`. */
  defaultTimeoutMs: number;
  /** Largest `timeoutMs` a request may ask for. Bounds how long one request can hold a sandbox. */
  maxTimeoutMs: number;
  /** Formatted console output kept per run, in bytes. Bounds a log flood (`while (1) console.log(x)`). */
  logBytes: number;
  /** Console calls kept per run. Bounds a flood of tiny log entries, whose per-entry overhead dominates. */
  logEntries: number;
  /** Encoded result size, in bytes of JSON. Bounds a huge result (`"x".repeat(6e7)`). */
  resultBytes: number;
  /** Nesting depth of the encoded result. Bounds stack use on deeply nested values. */
  resultDepth: number;
  /**
   * Bytes a run may request from bulk allocators (ArrayBuffer, typed arrays, Array#fill, Array.from,
   * String#repeat, ...). Bounds memory bombs: local workerd has no per-isolate memory limit and aborts
   * the whole process when one isolate exhausts its heap. Production also enforces 128 MB per isolate.
   */
  memoryBytes: number;
  /**
   * Work units (loop iterations and function entries) allowed per millisecond of deadline. A clock-free
   * bound on synchronous spinning: in production `Date.now()` does not advance while code runs. Set to
   * about three times the fastest instrumented loop measured locally (~570k iterations/ms), so the
   * wall-clock deadline normally acts first where the clock runs.
   */
  fuelPerMs: number;
  /**
   * Longest a run may compute without letting the event loop turn (a loop that never awaits I/O or a
   * timer). Local workerd runs every isolate on one thread, so this bounds how long one snippet can
   * keep the server from answering anyone else. Only where the clock advances during synchronous
   * code, i.e. locally; production isolates do not share a thread and are bounded by CPU time.
   */
  syncSliceMs: number;
  /** Grace the host adds to the deadline before giving up on a sandbox that did not answer. */
  graceMs: number;
  /** Outbound requests per run (production `limits.subRequests`). Bounds fan-out from one snippet. */
  subRequests: number;
}

/**
 * Limits on multi-file requests (`modules`, docs/api.md). Source files count against `codeBytes` together;
 * WebAssembly files have their own budget, since they are loaded as compiled modules, not parsed.
 */
export interface ModuleLimits {
  /** Files in one `modules` object. Bounds per-request resolution and hashing work. */
  files: number;
  /** Decoded bytes of one `.wasm` file: 413 above it. Bounds sandbox memory and load time. */
  wasmBytes: number;
  /** Decoded bytes of one `.wasm` file above which the response carries a `warnings` entry. */
  wasmWarnBytes: number;
  /**
   * Largest request body when it carries `modules` (base64 WebAssembly is 4/3 of its size). The plain
   * `bodyBytes` limit applies to every other request; a body above `bodyBytes` is read only when its
   * declared length fits this one and it turns out to carry `modules`.
   */
  bodyBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const MODULE_LIMITS: Readonly<ModuleLimits> = Object.freeze({
  files: 100,
  wasmBytes: 25 * 1024 * 1024,
  wasmWarnBytes: 5 * 1024 * 1024,
  bodyBytes: 36 * 1024 * 1024,
});

/**
 * Limits on stored functions (`/functions`, `/fn/:name/*`), per tenant. A deployment may lower or
 * raise them with the `FUNCTION_LIMITS` variable (JSON with any of these fields).
 */
export interface FunctionLimits {
  /**
   * Functions (distinct names) one tenant may keep: creating one more answers 409. Bounds one tenant's
   * share of D1 and the cost of `GET /functions`, which lists them all.
   */
  functions: number;
  /**
   * Versions kept per function: storing one more deletes the oldest (never the latest). Bounds the
   * storage a deploy-on-every-commit loop accumulates while keeping ample history to roll back to.
   */
  versions: number;
  /**
   * Bytes of one `/fn/:name/*` response body the host passes on: a larger `Content-Length` answers
   * 502, a longer stream is cut there and errored. Bounds what one handler can push through the
   * host; the same size as an /execute result (`resultBytes`).
   */
  responseBytes: number;
  /** Runs whose logs are kept per function (`GET /functions/:name/logs`); older runs are dropped. */
  logRuns: number;
  /**
   * Bytes of log messages kept per run; later entries are dropped and the run says so. Bounds the
   * stored logs of a tenant to functions × logRuns × logRunBytes (about 1.25 GiB at the defaults).
   */
  logRunBytes: number;
}

export const FUNCTION_LIMITS: Readonly<FunctionLimits> = Object.freeze({
  functions: 1_000,
  versions: 100,
  responseBytes: 4 * MiB,
  logRuns: 20,
  logRunBytes: 64 * KiB,
});

export const DEFAULT_LIMITS: Readonly<ExecutionLimits> = Object.freeze({
  codeBytes: 256 * KiB,
  bodyBytes: 2 * MiB,
  defaultTimeoutMs: 5_000,
  maxTimeoutMs: 30_000,
  logBytes: 1 * MiB,
  logEntries: 10_000,
  resultBytes: 4 * MiB,
  resultDepth: 1_000,
  memoryBytes: 128 * MiB,
  fuelPerMs: 1_500_000,
  syncSliceMs: 1_000,
  graceMs: 1_000,
  subRequests: 50,
});

/** The subset of limits the sandbox enforces itself; sent with every run. */
export type SandboxLimits = Pick<
  ExecutionLimits,
  "logBytes" | "logEntries" | "resultBytes" | "resultDepth" | "memoryBytes" | "fuelPerMs" | "syncSliceMs"
>;

export function sandboxLimits(limits: ExecutionLimits): SandboxLimits {
  return {
    logBytes: limits.logBytes,
    logEntries: limits.logEntries,
    resultBytes: limits.resultBytes,
    resultDepth: limits.resultDepth,
    memoryBytes: limits.memoryBytes,
    fuelPerMs: limits.fuelPerMs,
    syncSliceMs: limits.syncSliceMs,
  };
}
