/**
 * The one module that touches the Worker Loader binding. A sandbox is the prelude plus one
 * compiled unit, with no bindings and no network unless the unit's policy routes `fetch` through
 * the host's outbound gateway. Everything here is frozen into the cached isolate, so all of it is
 * covered by the unit id (BUILD_ID hashes this file); per-request data goes with each call.
 */

import { PRELUDE_MODULE, UNIT_MODULE } from "../../shared/protocol";
import type { CompiledUnit } from "../compile";
import { PRELUDE_SOURCE } from "../generated/prelude";
import type { NetworkPolicy } from "../http/validate";

export const SANDBOX_COMPATIBILITY_DATE = "2026-11-01";
/** `nodejs_compat` gives the prelude `node:util` (Node's exact log formatting) and AsyncLocalStorage. */
export const SANDBOX_COMPATIBILITY_FLAGS = ["nodejs_compat"];

export interface SandboxOptions {
  loader: WorkerLoader;
  unit: CompiledUnit;
  /** Isolates are never shared between tenants: globals one tenant's run leaves behind stay its own. */
  tenant: string;
  network: NetworkPolicy;
  /** Makes the outbound gateway for a policy that allows hosts (a loopback to the host's `Outbound`). */
  outbound: (allow: string[]) => Fetcher;
}

export function loadSandbox({ loader, unit, tenant, network, outbound }: SandboxOptions): WorkerStub {
  return loader.get(`${unit.id}/${tenant}`, () => ({
    compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
    compatibilityFlags: SANDBOX_COMPATIBILITY_FLAGS,
    mainModule: PRELUDE_MODULE,
    modules: { [PRELUDE_MODULE]: PRELUDE_SOURCE, [UNIT_MODULE]: unit.code },
    env: {},
    // Omitting globalOutbound would give the sandbox the host's whole network.
    globalOutbound: network === "none" ? null : outbound(network.allow),
  }));
}
