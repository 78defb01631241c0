/**
 * Console capture for one run. Messages are formatted exactly as Node's `util.format` would
 * (workerd implements `node:util`), kept in order with their level and time, and bounded: a run
 * that logs past its budget ends with a `resource` error, keeping what was logged until then.
 * With a sink (streaming callers), entries are also sent as they happen, in order, one batch per
 * turn of the event loop.
 */

import { format, inspect } from "node:util";
import type { LogEntry, LogLevel } from "../shared/protocol";
import type { LogSinkApi } from "../shared/runtime-api";
import { now } from "./clock";
import { LimitError } from "./errors";
import { clearTimer, promise, race, resolved, setTimer, type Timer, thenOf } from "./intrinsics";
import { formatBytes, type RunState } from "./run-state";

export class LogCollector {
  readonly entries: LogEntry[] = [];
  private bytes = 0;
  private full = false;
  private pending: LogEntry[] = [];
  private scheduled = false;
  private delivered: Promise<void> = resolved(undefined);

  constructor(
    private readonly run: RunState,
    private sink?: LogSinkApi,
  ) {}

  add(level: LogLevel, message: string): void {
    if (this.full || this.run.isFinished) return;
    const { logBytes, logEntries } = this.run.limits;
    const ms = now() - this.run.startedAt;
    if (this.entries.length >= logEntries || this.bytes + message.length > logBytes) {
      this.full = true;
      const room = Math.max(0, logBytes - this.bytes);
      if (room > 0 && this.entries.length < logEntries) {
        this.push({ level, message: `${message.slice(0, room)}… [truncated]`, ms });
      }
      throw this.run.end(
        new LimitError(
          "resource",
          `Log output exceeded its limit (${logEntries} entries or ${formatBytes(logBytes)}); the run was stopped.`,
        ),
      );
    }
    this.bytes += message.length;
    this.push({ level, message, ms });
  }

  /** Sends what is still pending and waits (at most `waitMs`) until the sink has taken everything. */
  async flush(waitMs: number): Promise<void> {
    this.send();
    if (!this.sink) return;
    let timer: Timer | undefined;
    const giveUp = promise<void>((resolve) => {
      timer = setTimer(() => resolve(), waitMs);
    });
    await race([this.delivered, giveUp]);
    clearTimer(timer);
  }

  private push(entry: LogEntry): void {
    this.entries.push(entry);
    if (!this.sink) return;
    this.pending.push(entry);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimer(() => this.send(), 0);
    }
  }

  private send(): void {
    this.scheduled = false;
    const sink = this.sink;
    if (!sink || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Chained, so batches arrive in order; a sink that fails stops receiving (logs still return).
    this.delivered = thenOf(
      thenOf(this.delivered, () => sink.write(batch)),
      () => undefined,
      () => {
        this.sink = undefined;
      },
    );
  }
}

/** A `console` whose every method writes to the run's collector. */
export function createConsole(logs: LogCollector): Console {
  let indent = "";
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const write = (level: LogLevel, args: unknown[]) => {
    const text = format(...args);
    logs.add(level, indent ? text.replace(/^/gm, indent) : text);
  };
  const elapsed = (label: string) => {
    const started = timers.get(label);
    return started === undefined ? undefined : `${label}: ${now() - started}ms`;
  };

  const methods = {
    log: (...args: unknown[]) => write("log", args),
    info: (...args: unknown[]) => write("info", args),
    warn: (...args: unknown[]) => write("warn", args),
    error: (...args: unknown[]) => write("error", args),
    debug: (...args: unknown[]) => write("debug", args),
    trace: (...args: unknown[]) => {
      const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
      write("debug", [`Trace: ${format(...args)}\n${stack}`]);
    },
    dir: (value: unknown, options?: object) => write("log", [inspect(value, boundedInspectOptions(options))]),
    dirxml: (...args: unknown[]) => write("log", args),
    table: (data: unknown) => write("log", [inspect(data)]),
    assert: (condition: unknown, ...args: unknown[]) => {
      if (condition) return;
      // As Node and the console standard do: a message keeps its format specifiers ("x %s", y).
      const [first, ...rest] = args;
      if (args.length === 0) write("error", ["Assertion failed"]);
      else if (typeof first === "string") write("error", [`Assertion failed: ${first}`, ...rest]);
      else write("error", ["Assertion failed:", ...args]);
    },
    count: (label = "default") => {
      const count = (counts.get(label) ?? 0) + 1;
      counts.set(label, count);
      write("log", [`${label}: ${count}`]);
    },
    countReset: (label = "default") => {
      counts.delete(label);
    },
    time: (label = "default") => {
      timers.set(label, now());
    },
    timeLog: (label = "default", ...args: unknown[]) => {
      const text = elapsed(label);
      if (text) write("log", [text, ...args]);
    },
    timeEnd: (label = "default") => {
      const text = elapsed(label);
      timers.delete(label);
      if (text) write("log", [text]);
    },
    group: (...args: unknown[]) => {
      if (args.length > 0) write("log", args);
      indent += "  ";
    },
    groupCollapsed: (...args: unknown[]) => {
      if (args.length > 0) write("log", args);
      indent += "  ";
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
  };
  return methods as unknown as Console;
}

/**
 * `console.dir`'s options, with the lengths it may print capped: the whole text is built before
 * the log limit sees it, so `maxArrayLength: Infinity` over millions of elements would otherwise
 * spend seconds past the deadline building a string of which only the log limit is kept. (Depth is
 * left alone: deep values are cut by the log limit, as a `resource` error.)
 */
const INSPECT_CAPS = { maxArrayLength: 10_000, maxStringLength: 1_000_000 } as const;

function boundedInspectOptions(options: unknown): object {
  if (typeof options !== "object" || options === null) return {};
  const bounded: Record<string, unknown> = { ...options };
  for (const [name, cap] of Object.entries(INSPECT_CAPS)) {
    const asked = bounded[name];
    if (asked === null || (typeof asked === "number" && asked > cap)) bounded[name] = cap;
  }
  return bounded;
}
