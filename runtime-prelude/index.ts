/**
 * The sandbox's main module (`prelude.js`). It hardens the isolate once, then serves `run` calls
 * from the host, one per execution, `serve` calls for `/fn/:name/*` (serve.ts) and `open` calls for
 * RPC on an export (session.ts), against the compiled `unit.js` loaded beside it.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import {
  type CallOutcome,
  FUEL_SLICE,
  type OpenTarget,
  type RunOutcome,
  type RunRequest,
  type ServeOutcome,
  TICK_GLOBAL,
} from "../shared/protocol";
import { now } from "./clock";
import { currentRun } from "./current";
import { describeThrown, LimitError } from "./errors";
import { installRunGlobals } from "./globals";
import { installAllocationGuards } from "./guards";
import { restorePromiseThen } from "./intrinsics";
import { runSnippet, type SnippetModule } from "./run";
import { serveRequest } from "./serve";
import { openExport } from "./session";
import { publishWorkersClasses } from "./workers";

installAllocationGuards(() => currentRun.getStore()?.run);
installRunGlobals();
publishWorkersClasses();

/**
 * Bounds the top-level code of the unit's imported files while `unit.js` is being imported. That is
 * workerd's global scope, where timers are refused, so only fuel and the clock apply (no slices).
 */
let loading: { fuel: number; deadline: number; timeoutMs: number } | undefined;

function loadTick(): number {
  if (!loading) return 0;
  loading.fuel -= FUEL_SLICE;
  if (loading.fuel < 0 || now() > loading.deadline) {
    throw new LimitError(
      "timeout",
      `Loading the imported files exceeded the ${loading.timeoutMs} ms deadline (a loop at the top level of a module?).`,
    );
  }
  return 0;
}

// Files imported by a multi-file unit tick through this global (prepare-file.ts): the current run, or the load.
Object.defineProperty(globalThis, TICK_GLOBAL, {
  value: () => {
    const run = currentRun.getStore()?.run;
    return run ? run.tick() : loadTick();
  },
  writable: false,
  enumerable: false,
  configurable: false,
});

// Imported only after the guards are in place, so nothing in the compiled unit ever sees the
// isolate unguarded. The prelude build keeps `./unit.js` external.
let snippet: Promise<SnippetModule> | undefined;

export default class Sandbox extends WorkerEntrypoint {
  async run(request: RunRequest): Promise<RunOutcome> {
    const module = await loadUnit(request);
    return answer("type" in module ? module : await runSnippet(module, request));
  }

  async serve(http: Request, request: RunRequest): Promise<ServeOutcome> {
    const module = await loadUnit(request);
    return answer("type" in module ? module : await serveRequest(module, http, request));
  }

  async open(request: RunRequest, target: OpenTarget): Promise<CallOutcome> {
    const module = await loadUnit(request);
    return answer("type" in module ? module : await openExport(module, request, target));
  }
}

/** The outcome, with what workerd needs to send it back in place (see restorePromiseThen). */
function answer<T>(outcome: T): T {
  restorePromiseThen();
  return outcome;
}

/** The compiled unit, imported on the first call; a load that failed is an error outcome. */
async function loadUnit(request: RunRequest): Promise<SnippetModule | Extract<RunOutcome, { type: "error" }>> {
  if (!snippet) {
    const { timeoutMs, limits } = request;
    loading = { fuel: timeoutMs * limits.fuelPerMs, deadline: now() + timeoutMs, timeoutMs };
    // @ts-expect-error unit.js does not exist at build time: the host loads it next to the prelude.
    snippet = import("./unit.js") as Promise<SnippetModule>;
  }
  try {
    return await snippet;
  } catch (thrown) {
    // A load that failed (a loop at the top level of an imported file ran out) is retried next time.
    snippet = undefined;
    return { type: "error", error: describeThrown(thrown), logs: [], calls: [], runMs: 0 };
  } finally {
    loading = undefined;
  }
}
