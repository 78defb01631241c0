/**
 * One run: evaluate the snippet with a fresh runtime, call it when it is a function, race the
 * deadline, encode the result, and describe whatever went wrong. Never rejects: every failure of
 * the user's code comes back as a `RunOutcome` of type "error".
 */

import type {
  CallRecord,
  LogEntry,
  RunMode,
  RunOutcome,
  RunRequest,
  SandboxError,
  SnippetMain,
} from "../shared/protocol";
import { now } from "./clock";
import { createConsole, LogCollector } from "./console";
import { currentRun, type RunScope } from "./current";
import { encodeResult } from "./encode";
import { describeThrown } from "./errors";
import { clearTimer, isClass, promise, race, setTimer, type Timer } from "./intrinsics";
import { RunState } from "./run-state";
import { createRuntime } from "./runtime";
import { CallTrace } from "./trace";

export interface SnippetModule {
  default: SnippetMain;
  mode: RunMode;
}

export async function runSnippet(snippet: SnippetModule, request: RunRequest): Promise<RunOutcome> {
  const { settled, ...rest } = await withRun(request, (scope) => evaluate(snippet, request, scope));
  return settled.ok
    ? { type: "result", result: settled.value, ...rest }
    : { type: "error", error: settled.error, ...rest };
}

/** How a run's body ended, with what every outcome carries. */
export interface Settled<T> {
  settled: { ok: true; value: T } | { ok: false; error: SandboxError };
  logs: LogEntry[];
  calls: CallRecord[];
  runMs: number;
}

/**
 * Runs `body` as one run: a fresh `RunState`, console, `$` and deadline, all current for the code
 * it calls. Never rejects: a throw, a limit or the deadline becomes `settled.error`.
 */
export async function withRun<T>(request: RunRequest, body: (scope: RunScope) => Promise<T>): Promise<Settled<T>> {
  const run = new RunState(request.timeoutMs, request.limits);
  const logs = new LogCollector(run, request.logSink);
  const trace = new CallTrace();
  const scope: RunScope = { run, logs, console: createConsole(logs), $: createRuntime(run, request, trace) };
  let timer: Timer | undefined;
  const deadline = promise<never>((_, reject) => {
    timer = setTimer(() => reject(run.end(run.timeoutError())), request.timeoutMs);
  });
  let settled: Settled<T>["settled"];
  try {
    const evaluation = currentRun.run(scope, () => body(scope));
    settled = { ok: true, value: await race([evaluation, deadline]) };
  } catch (thrown) {
    let error = describeThrown(run.ended ?? thrown);
    // Describing can run the snippet's code (a looping `message` getter) and end the run.
    if (run.ended) error = describeThrown(run.ended);
    settled = { ok: false, error };
  } finally {
    clearTimer(timer);
    run.finish();
  }
  const runMs = now() - run.startedAt;
  // Streamed logs reach the caller before the outcome does.
  await logs.flush(SINK_FLUSH_MS);
  return { settled, logs: logs.entries, calls: trace.records, runMs };
}

/** How long the end of a run waits for a streaming caller to take the last logs. */
const SINK_FLUSH_MS = 1000;

async function evaluate(snippet: SnippetModule, request: RunRequest, scope: RunScope): Promise<string | undefined> {
  const args: unknown = JSON.parse(request.args);
  const { run } = scope;
  let value = await snippet.default({ args, $: scope.$, console: scope.console, tick: run.tick });
  if (snippet.mode === "call" && typeof value === "function" && !isClass(value)) value = await value(args);
  // A limit the code caught still ends the run: the user's handler does not get to succeed.
  if (run.ended) throw run.ended;
  const result = encodeResult(value, request.limits);
  if (run.ended) throw run.ended;
  return result;
}
