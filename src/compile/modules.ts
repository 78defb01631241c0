/**
 * The modules snippets may import, declared in one place. Their sources are built from
 * `runtime-prelude/modules/` by `npm run build` and bundled into a snippet only when it imports them.
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
}

const DESCRIPTIONS: Record<string, string> = {
  "functions.do": 'the `$` runtime, importable from helper code: import { $ } from "functions.do"',
};

export const MODULES: ReadonlyMap<string, ProvidedModule> = new Map(
  Object.entries(PROVIDED_MODULES).map(([specifier, { source, exports }]) => [
    specifier,
    { specifier, source, exports, description: DESCRIPTIONS[specifier] ?? "" },
  ]),
);

export function providedModule(specifier: string): ProvidedModule | undefined {
  return MODULES.get(specifier);
}

export function availableModules(): string[] {
  return [...MODULES.keys()].sort();
}
