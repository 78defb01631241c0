/**
 * Stage 8, when every module the unit imports is loaded beside it (the ready set, registry
 * packages): each specifier becomes that module's path, edited in place; no bundler runs. esbuild
 * would only rewrite them too, at ~100 ms a compile instead of ~1: this is what makes a ready-set
 * import cost what a snippet without imports costs.
 */

import { parse } from "acorn";
import { simple } from "acorn-walk";
import { applyEdits, type Edit, type Emitted } from "./emit";
import { type ProvidedModule, providedModule } from "./modules";
import { PARSE_OPTIONS } from "./parse";

/**
 * The code with every import's specifier replaced by the path its module is loaded at, or undefined
 * when some module is not loaded beside the unit (`functions.do`, inlined: the bundler runs).
 */
export function linkExternals(code: string, linked?: ReadonlyMap<string, ProvidedModule>): Emitted | undefined {
  const path = (specifier: string) => (linked?.get(specifier) ?? providedModule(specifier))?.library?.module;
  const edits: Edit[] = [];
  let complete = true;
  const link = (source: { type: string; start: number; end: number; value?: unknown } | null | undefined) => {
    if (!source) return;
    const target = source.type === "Literal" && typeof source.value === "string" ? path(source.value) : undefined;
    if (target === undefined) complete = false;
    else edits.push({ type: "replace", start: source.start, end: source.end, text: JSON.stringify(`./${target}`) });
  };
  const program = parse(code, PARSE_OPTIONS);
  for (const node of program.body) {
    if (node.type === "ImportDeclaration" || node.type === "ExportAllDeclaration") link(node.source);
    else if (node.type === "ExportNamedDeclaration") link(node.source);
  }
  simple(program, { ImportExpression: (node) => link(node.source as Parameters<typeof link>[0]) });
  return complete ? applyEdits(code, edits) : undefined;
}
