/**
 * Stage 5: every module the code asks for must be one the service provides (its own modules and
 * the ready set of npm packages) or a registry package src/packages linked. An unknown specifier is
 * a syntax error that names it and lists what is available; nothing is guessed.
 */

import { type Diagnostic, LineIndex, type StageResult, succeed } from "./diagnostic";
import { isRelativeSpecifier, resolveFile } from "./files";
import type { SubmittedModules } from "./input";
import { availableModules, type ProvidedModule, providedModule } from "./modules";
import type { ModuleRequest } from "./shape";

/**
 * Resolves the main module's imports; returns the provided modules it uses. With `files` (a
 * multi-file request), relative specifiers must name one of the submitted files (bundle.ts loads them).
 * `linked` holds the registry packages src/packages linked for this unit, by specifier.
 */
export function resolveImports(
  code: string,
  requests: readonly ModuleRequest[],
  files?: SubmittedModules,
  linked?: ReadonlyMap<string, ProvidedModule>,
): StageResult<string[]> {
  const diagnostics: Diagnostic[] = [];
  const resolved = new Set<string>();
  let lines: LineIndex | undefined;
  for (const request of requests) {
    if (files && !request.computed && isRelativeSpecifier(request.specifier)) {
      const path = resolveFile(files.main, request.specifier, files);
      if (path && path !== files.main) continue;
      lines ??= new LineIndex(code);
      const names = [...Object.keys(files.sources), ...Object.keys(files.wasm)];
      diagnostics.push({
        message: path
          ? `"${request.specifier}" is the main module itself`
          : `Cannot find module "${request.specifier}" among the submitted files`,
        position: lines.positionAt(request.start),
        hint: `The other submitted files are: ${names.join(", ") || "none"}.`,
      });
      continue;
    }
    const module = request.computed ? undefined : (linked?.get(request.specifier) ?? providedModule(request.specifier));
    if (module) {
      resolved.add(request.specifier);
      // A name the module does not export is an error here, located on the name, not in the bundler.
      for (const { name, start } of request.names) {
        if (module.exports.includes(name)) continue;
        lines ??= new LineIndex(code);
        diagnostics.push({
          message: `Module "${request.specifier}" has no export named "${name}"`,
          position: lines.positionAt(start),
          hint: `It exports: ${module.exports.join(", ") || "nothing"}.`,
        });
      }
      continue;
    }
    lines ??= new LineIndex(code);
    const position = lines.positionAt(request.start);
    diagnostics.push(
      request.computed
        ? {
            message: "import() needs a string literal naming a provided module",
            position,
            hint: `Use a static import of one of: ${availableModules().join(", ")}.`,
          }
        : {
            message: `Cannot find module "${request.specifier}": only these modules can be imported: ${availableModules().join(", ")}`,
            position,
            hint: "Import the service's modules, a package of the ready set (GET /types lists them), or an npm package by name where the operator's package policy allows it.",
          },
    );
  }
  return diagnostics.length > 0 ? { ok: false, diagnostics } : succeed([...resolved]);
}
