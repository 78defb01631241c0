/**
 * The classes snippets import from `cloudflare:workers` (runtime-prelude/modules/cloudflare-workers.ts),
 * published on a global before the unit is imported. `RpcTarget` is the runtime's; `WorkerEntrypoint`
 * is a stand-in: the user's subclass is instantiated by `open` (session.ts) with a `ctx` whose
 * `props` the RPC client chose and an empty `env` (the sandbox has no bindings; `$` is the runtime).
 */

import { RpcTarget } from "cloudflare:workers";

export class WorkerEntrypoint extends RpcTarget {
  constructor(
    readonly ctx: unknown,
    readonly env: unknown,
  ) {
    super();
  }
}

export function publishWorkersClasses(): void {
  Object.defineProperty(globalThis, Symbol.for("functions.do/cloudflare:workers"), {
    value: Object.freeze({ RpcTarget, WorkerEntrypoint }),
    writable: false,
    enumerable: false,
    configurable: false,
  });
}
