/**
 * The sandbox's main module (`prelude.js`). It hardens the isolate once, then serves `run` calls
 * from the host, one per execution, against the compiled `unit.js` loaded beside it.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import type { RunOutcome, RunRequest } from "../shared/protocol";
import { currentRun } from "./current";
import { installRunGlobals } from "./globals";
import { installAllocationGuards } from "./guards";
import { runSnippet, type SnippetModule } from "./run";

installAllocationGuards(() => currentRun.getStore()?.run);
installRunGlobals();

// Imported only after the guards are in place, so nothing in the compiled unit ever sees the
// isolate unguarded. The prelude build keeps `./unit.js` external.
let snippet: Promise<SnippetModule> | undefined;

export default class Sandbox extends WorkerEntrypoint {
  async run(request: RunRequest): Promise<RunOutcome> {
    // @ts-expect-error unit.js does not exist at build time: the host loads it next to the prelude.
    snippet ??= import("./unit.js") as Promise<SnippetModule>;
    return runSnippet(await snippet, request);
  }
}
