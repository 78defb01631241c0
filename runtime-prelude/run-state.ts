/**
 * The state of one run inside the isolate: its deadline, fuel, allocation meter and end.
 * Instrumented user code reaches it only through `tick`, a closure handed to the snippet, so
 * concurrent runs of the same code in one isolate never see each other's state.
 */

import type { SandboxLimits } from "../shared/limits";
import { FUEL_SLICE } from "../shared/protocol";
import { now } from "./clock";
import { LimitError } from "./errors";
import { setTimer } from "./intrinsics";

export class RunState {
  readonly startedAt = now();
  readonly deadline: number;
  private fuel = 0;
  private readonly fuelLimit: number;
  private allocated = 0;
  /** When the current stretch of synchronous work began (the last tick after the event loop turned). */
  private sliceStart = 0;
  /** Set by a timer, which can only fire once the event loop has turned since the slice began. */
  private yielded = true;
  /** Set once: the reason the run is over. Every later tick throws it again. */
  private endReason: LimitError | undefined;
  private finished = false;

  constructor(
    readonly timeoutMs: number,
    readonly limits: SandboxLimits,
  ) {
    this.deadline = this.startedAt + timeoutMs;
    this.fuelLimit = timeoutMs * limits.fuelPerMs;
  }

  /** Called by instrumented loops and function entries every `FUEL_SLICE` units of work. */
  readonly tick = (): number => {
    if (this.endReason) throw this.endReason;
    if (this.finished) throw this.end(new LimitError("timeout", "The run has already ended."));
    this.fuel += FUEL_SLICE;
    if (this.fuel > this.fuelLimit) {
      throw this.end(
        new LimitError(
          "timeout",
          `Execution exceeded the ${this.timeoutMs} ms deadline: its budget of ${this.fuelLimit} loop iterations and calls ran out.`,
        ),
      );
    }
    const time = now();
    if (time > this.deadline) throw this.end(this.timeoutError());
    if (this.yielded) {
      this.yielded = false;
      this.sliceStart = time;
      setTimer(this.markYielded, 0);
    } else if (time - this.sliceStart > this.limits.syncSliceMs) {
      throw this.end(
        new LimitError(
          "timeout",
          `Execution ran for more than ${this.limits.syncSliceMs} ms without yielding to the event loop. The local server runs every sandbox on one thread, so long synchronous work is stopped; split it into chunks with \`await scheduler.wait(0)\` between them.`,
        ),
      );
    }
    return 0;
  };

  private readonly markYielded = () => {
    this.yielded = true;
  };

  timeoutError(): LimitError {
    return new LimitError("timeout", `Execution exceeded the ${this.timeoutMs} ms deadline.`);
  }

  /** Ends the run for good; returns the reason so callers can `throw run.end(...)`. */
  end(reason: LimitError): LimitError {
    this.endReason ??= reason;
    return this.endReason;
  }

  get ended(): LimitError | undefined {
    return this.endReason;
  }

  /** Marks the run as answered: callbacks it left behind stop at their next tick. */
  finish(): void {
    this.finished = true;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /**
   * Accounts for a bulk allocation before it happens. Throws a resource error (without ending the
   * run: like a failed allocation, it may be caught) when one request is larger than the run may
   * ever hold or when the run's running total would pass the budget.
   */
  allocate(bytes: number, what: string): void {
    if (!(bytes > 0)) return;
    const limit = this.limits.memoryBytes;
    if (bytes > limit || this.allocated + bytes > limit * ALLOCATION_HEADROOM) {
      throw new LimitError(
        "resource",
        `Memory limit exceeded: ${what} of ${formatBytes(bytes)} would bring this run's bulk allocations to ${formatBytes(this.allocated + bytes)} (limit: ${formatBytes(limit)} at once, ${formatBytes(limit * ALLOCATION_HEADROOM)} in total).`,
      );
    }
    this.allocated += bytes;
  }
}

/**
 * How many times `memoryBytes` a run may allocate in total through bulk allocators. Memory freed
 * by the garbage collector is not credited back (the isolate cannot observe it synchronously), so
 * the total allows churn while still stopping a bomb long before the V8 heap limit.
 */
export const ALLOCATION_HEADROOM = 8;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024 * 1024)).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
