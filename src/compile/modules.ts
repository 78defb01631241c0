/**
 * The modules snippets may import, declared in one place. Their sources are built by `npm run build`
 * (scripts/build-prelude.mjs: `runtime-prelude/modules/` and the LIBRARIES allowlist of npm
 * packages) and reach a unit only when it imports them: the service's own modules bundled into it,
 * libraries (hundreds of KiB) loaded next to it as modules of their own, never re-bundled.
 */

import { PROVIDED_MODULES } from "../generated/prelude";

export interface ProvidedModule {
  specifier: string;
  /** ES module source, ready to bundle. */
  source: string;
  /** The names it exports (value exports; types are erased before this point). */
  exports: readonly string[];
  /** One line for error messages and the README. */
  description: string;
  /** An allowlisted npm package: loaded next to the unit as `module`, not bundled into it. */
  library?: { module: string };
}

const DESCRIPTIONS: Record<string, string> = {
  "functions.do": 'the `$` runtime, importable from helper code: import { $ } from "functions.do"',
  zod: 'schema validation (zod 4): import { z } from "zod"',
  "cloudflare:workers":
    'RpcTarget and WorkerEntrypoint, for classes called over RPC through open(): import { RpcTarget } from "cloudflare:workers"',
};

export const MODULES: ReadonlyMap<string, ProvidedModule> = new Map(
  Object.entries(PROVIDED_MODULES).map(([specifier, { source, exports, library }]) => [
    specifier,
    {
      specifier,
      source,
      exports,
      description: DESCRIPTIONS[specifier] ?? "",
      ...(library ? { library: { module: `libraries/${specifier}.js` } } : {}),
    },
  ]),
);

export function providedModule(specifier: string): ProvidedModule | undefined {
  return MODULES.get(specifier);
}

export function availableModules(): string[] {
  return [...MODULES.keys()].sort();
}
