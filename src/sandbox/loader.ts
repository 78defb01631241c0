/**
 * Where user code meets the Worker Loader binding (the only other isolates loaded are the type
 * checker's, in type-check.ts, and the benchmark's empty floor). A sandbox is the prelude plus one
 * compiled unit, with no bindings and no network unless the unit's policy routes `fetch` through
 * the host's outbound gateway. Everything here is frozen into the loaded isolate, so all of it is
 * covered by the unit id (BUILD_ID hashes this file); per-request data goes with each call.
 *
 * Named isolates (`LOADER.get(name)`) are cached by the loader and, in local workerd, never
 * released: one per distinct snippet would grow memory without bound (measured: ~2.8 MB each).
 * So a unit gets a named isolate only when it is asked for again (a compile-cache hit), and only
 * up to a budget; one-off units get an unnamed isolate (`LOADER.load`), which is reclaimed.
 */

import { PRELUDE_MODULE, UNIT_MODULE } from "../../shared/protocol";
import type { CompiledUnit } from "../compile";
import { providedModule } from "../compile/modules";
import { PRELUDE_SOURCE } from "../generated/prelude";

export const SANDBOX_COMPATIBILITY_DATE = "2026-11-01";
/** `nodejs_compat` gives the prelude `node:util` (Node's exact log formatting) and AsyncLocalStorage. */
export const SANDBOX_COMPATIBILITY_FLAGS = ["nodejs_compat"];

export interface SandboxOptions {
  loader: WorkerLoader;
  unit: CompiledUnit;
  /** Isolates are never shared between tenants: globals one tenant's run leaves behind stay its own. */
  tenant: string;
  network: "none" | { allow: string[] };
  /** Makes the outbound gateway for a policy that allows hosts (a loopback to the host's `Outbound`). */
  outbound: (allow: string[]) => Fetcher;
  /** The unit was asked for before (its compile was a cache hit): worth a cached isolate. */
  repeated: boolean;
}

export class SandboxPool {
  private readonly named = new Set<string>();

  /** @param budget how many distinct named isolates this host isolate may ever create */
  constructor(readonly budget: number) {}

  sandbox({ loader, unit, tenant, network, outbound, repeated }: SandboxOptions): WorkerStub {
    const name = `${unit.id}/${tenant}`;
    const code = (): WorkerLoaderWorkerCode => ({
      compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
      compatibilityFlags: SANDBOX_COMPATIBILITY_FLAGS,
      mainModule: PRELUDE_MODULE,
      modules: {
        [PRELUDE_MODULE]: PRELUDE_SOURCE,
        [UNIT_MODULE]: unit.code,
        ...libraryModules(unit),
        ...wasmModules(unit),
      },
      env: {},
      // Omitting globalOutbound would give the sandbox the host's whole network.
      globalOutbound: network === "none" ? null : outbound(network.allow),
    });
    if (this.named.has(name) || (repeated && this.named.size < this.budget)) {
      this.named.add(name);
      return loader.get(name, code);
    }
    return loader.load(code());
  }

  get namedIsolates(): number {
    return this.named.size;
  }
}

/** The allowlisted libraries the unit imports, as the modules its `./libraries/<name>.js` imports name. */
function libraryModules(unit: CompiledUnit): Record<string, string> {
  const modules: Record<string, string> = {};
  for (const specifier of unit.libraries) {
    const module = providedModule(specifier);
    if (module?.library) modules[module.library.module] = module.source;
  }
  return modules;
}

/**
 * A multi-file unit's WebAssembly files, as compiled modules beside `unit.js` (which imports them
 * as `./<path>`): the sandbox may instantiate a `WebAssembly.Module` but not compile bytes.
 */
function wasmModules(unit: CompiledUnit): Record<string, { wasm: ArrayBuffer }> {
  const modules: Record<string, { wasm: ArrayBuffer }> = {};
  for (const [path, bytes] of Object.entries(unit.files?.wasm ?? {})) {
    modules[path] = { wasm: bytes.slice().buffer as ArrayBuffer };
  }
  return modules;
}
