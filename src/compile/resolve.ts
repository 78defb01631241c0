/**
 * Stage 5: every module the code asks for must be one the service provides. An unknown specifier
 * is a syntax error that names it and lists what is available; nothing is fetched or guessed.
 */

import { type Diagnostic, positionAt, type StageResult, succeed } from "./diagnostic";
import { availableModules, providedModule } from "./modules";
import type { ModuleRequest } from "./shape";

export function resolveImports(code: string, requests: readonly ModuleRequest[]): StageResult<string[]> {
  const diagnostics: Diagnostic[] = [];
  const resolved = new Set<string>();
  for (const request of requests) {
    const position = positionAt(code, request.start);
    if (request.computed) {
      diagnostics.push({
        message: "import() needs a string literal naming a provided module",
        position,
        hint: `Use a static import of one of: ${availableModules().join(", ")}.`,
      });
    } else if (!providedModule(request.specifier)) {
      diagnostics.push({
        message: `Cannot find module "${request.specifier}": it is not provided by this service`,
        position,
        hint: `Available modules: ${availableModules().join(", ")}.`,
      });
    } else {
      resolved.add(request.specifier);
    }
  }
  return diagnostics.length > 0 ? { ok: false, diagnostics } : succeed([...resolved]);
}
