/**
 * The `calls` trace of a run: every call a snippet makes through `$`, with how long it took and
 * whether it succeeded. Observing a call never changes it: a pipelined RPC promise is returned to
 * the snippet untouched, and the trace attaches its own handlers beside the snippet's.
 *
 * An error that comes back from the host or a service carries no frame of the snippet's code, so
 * the call site is added to its stack: the host then locates the error on the line that made the
 * call. (Handlers run in the order they were attached, so this happens before the snippet sees it.)
 */

import { type CallRecord, UNIT_MODULE } from "../shared/protocol";
import { now } from "./clock";
import { LimitError } from "./errors";

/** Calls recorded per run; later ones still run but are not listed. */
const MAX_RECORDS = 1000;
/**
 * `$` calls one run may have unanswered at once, and make in all. Each is work for the host, so
 * without a bound `Promise.all` over thousands of calls keeps the host busy past the run's deadline
 * (and, locally, every other request waiting). Over either bound the call throws a resource error.
 */
export const MAX_CALLS_IN_FLIGHT = 256;
export const MAX_CALLS_PER_RUN = 10_000;

export class CallTrace {
  readonly records: CallRecord[] = [];
  private inFlight = 0;
  private made = 0;

  record<T>(name: string, call: () => T): T {
    if (this.inFlight >= MAX_CALLS_IN_FLIGHT) {
      throw new LimitError(
        "resource",
        `${name}: ${MAX_CALLS_IN_FLIGHT} calls through $ are already waiting for answers; await some before making more.`,
      );
    }
    if (this.made >= MAX_CALLS_PER_RUN) {
      throw new LimitError("resource", `${name}: a run may make at most ${MAX_CALLS_PER_RUN} calls through $.`);
    }
    this.made++;
    const started = now();
    const site = new Error();
    const done = (ok: boolean) => {
      if (this.records.length < MAX_RECORDS) this.records.push({ name, ms: now() - started, ok });
    };
    let result: T;
    try {
      result = call();
    } catch (error) {
      done(false);
      addCallSite(error, site);
      throw error;
    }
    if (isThenable(result)) {
      this.inFlight++;
      result.then(
        () => {
          this.inFlight--;
          done(true);
        },
        (error: unknown) => {
          this.inFlight--;
          done(false);
          addCallSite(error, site);
        },
      );
    } else {
      done(true);
    }
    return result;
  }
}

function addCallSite(error: unknown, site: Error): void {
  if (!(error instanceof Error)) return;
  try {
    const stack = typeof error.stack === "string" ? error.stack : `${error.name}: ${error.message}`;
    if (stack.includes(`${UNIT_MODULE}:`)) return;
    const frames = (site.stack ?? "").split("\n").filter((line) => line.includes(`${UNIT_MODULE}:`));
    if (frames.length > 0) error.stack = `${stack}\n${frames.join("\n")}`;
  } catch {
    // A frozen or exotic error keeps its own stack.
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
