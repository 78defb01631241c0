/**
 * Which run the isolate is executing right now. Runs of the same code may interleave in one
 * isolate, so anything global (the `$` global, the global console, the allocation guards) looks
 * the current run up here instead of keeping it in a variable.
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { LogCollector } from "./console";
import type { RunState } from "./run-state";
import type { Runtime } from "./runtime";

export interface RunScope {
  run: RunState;
  logs: LogCollector;
  console: Console;
  $: Runtime;
}

export const currentRun = new AsyncLocalStorage<RunScope>();
