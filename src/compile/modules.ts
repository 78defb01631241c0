/**
 * The modules snippets may import, declared in one place. Their sources are built by `npm run build`
 * (scripts/build-prelude.mjs: `runtime-prelude/modules/`; scripts/build-libraries.mjs: the ready
 * set of npm packages, src/packages/ready-set.ts) and reach a unit only when it imports them: the
 * service's own modules bundled into it, libraries (hundreds of KiB) loaded next to it as modules
 * of their own, never re-bundled.
 */

import { PROVIDED_MODULES } from "../generated/prelude";
import { readyModule, readyPackageOf, readyPackages } from "../packages/ready-set";

export interface ProvidedModule {
  specifier: string;
  /** ES module source, ready to bundle. */
  source: string;
  /** The names it exports (value exports; types are erased before this point). */
  exports: readonly string[];
  /** One line for error messages and the README. */
  description: string;
  /** An npm package (the ready set, or fetched): loaded next to the unit as `module`, not bundled into it. */
  library?: { module: string };
}

const DESCRIPTIONS: Record<string, string> = {
  "functions.do": 'the `$` runtime, importable from helper code: import { $ } from "functions.do"',
  "cloudflare:workers":
    'RpcTarget and WorkerEntrypoint, for classes called over RPC through open(): import { RpcTarget } from "cloudflare:workers"',
};

export const MODULES: ReadonlyMap<string, ProvidedModule> = new Map(
  Object.entries(PROVIDED_MODULES).map(([specifier, { source, exports }]) => [
    specifier,
    {
      specifier,
      source,
      exports,
      description: DESCRIPTIONS[specifier] ?? "",
    },
  ]),
);

export function providedModule(specifier: string): ProvidedModule | undefined {
  const own = MODULES.get(specifier);
  if (own) return own;
  const ready = readyModule(specifier);
  if (!ready) return undefined;
  const description = readyPackageOf(specifier)?.description ?? "";
  return { specifier, source: "", exports: ready.exports, description, library: { module: ready.module } };
}

/** What may be imported without a fetch: the service's modules and the ready set's packages. */
export function availableModules(): string[] {
  return [...MODULES.keys(), ...readyPackages().map((pkg) => pkg.name)].sort();
}
