/**
 * Stage 6b: turn the parsed program into the module the prelude calls. The user's top level
 * becomes the body of an async function evaluated once per run, so `return` and `await` work, a
 * run never sees state from an earlier one, and `args`, `$` and `console` are in scope (and may
 * be shadowed). Imports move to the module's top level; exports become plain declarations.
 *
 *   import ...                                  (the user's imports, moved)
 *   const M = "call"; export { M as mode };
 *   export default (R) => { const T = R.tick; let F = 0; const args = R.args, $ = R.$,
 *     console = R.console; return (async () => {
 *   <the user's code, instrumented, its last expression returned>
 *   })(); };
 *
 * Only parsed nodes are edited, so no input can close the wrapper early: text that would is not a
 * program and never reaches this stage.
 */

import { type Node, tokenizer } from "acorn";
import type { Edit } from "./emit";
import type { GeneratedNames } from "./names";
import type { Shape } from "./shape";

export function wrapEdits(code: string, shape: Shape, names: GeneratedNames): Edit[] {
  const edits: Edit[] = [];
  const header: string[] = [];

  for (const node of shape.imports) {
    header.push(terminated(code.slice(node.start, node.end)));
    edits.push({ type: "remove", start: node.start, end: node.end });
  }
  for (const node of shape.exports) {
    if (node.type === "ExportAllDeclaration" || (node.type === "ExportNamedDeclaration" && node.source)) {
      // A re-export only matters for its side effects here; the module is still checked and bundled.
      header.push(`import ${JSON.stringify(String(node.source?.value))};\n`);
      edits.push({ type: "remove", start: node.start, end: node.end });
    } else if (node.type === "ExportNamedDeclaration") {
      if (node.declaration) edits.push({ type: "remove", start: node.start, end: node.declaration.start });
      else edits.push({ type: "remove", start: node.start, end: node.end });
    } else {
      const completion = shape.completion;
      // Everything between the keywords and the end is the value, parentheses included: `export default (1);`
      const value = afterKeywords(code, node.start, 2);
      if (completion.type === "default-export" && completion.declaration === node) {
        // Through a `default` key, so an anonymous function or class is named "default" as in a module.
        const end = endsWithSemicolon(code, node) ? node.end - 1 : node.end;
        edits.push({ type: "replace", start: node.start, end: value, text: `const ${names.result} = { default:` });
        edits.push({ type: "insert", at: end, text: " }.default" });
        if (!endsWithSemicolon(code, node)) edits.push({ type: "insert", at: node.end, text: ";" });
      } else {
        edits.push({ type: "remove", start: node.start, end: value });
      }
    }
  }

  const completion = shape.completion;
  if (completion.type === "expression") {
    edits.push({ type: "insert", at: completion.statement.start, text: "return (" });
    edits.push({ type: "insert", at: completion.statement.expression.end, text: ")" });
  } else if (completion.type === "binding") {
    edits.push({ type: "append", text: `\n;return ${completion.name};` });
  } else if (completion.type === "default-export") {
    edits.push({ type: "append", text: `\n;return ${names.result};` });
  }

  // A hashbang is only allowed on the first line of a module, and the wrapper goes before it.
  if (code.startsWith("#!")) edits.push({ type: "replace", start: 0, end: 2, text: "//" });

  const { runtime: R, tick: T, fuel: F, mode: M } = names;
  edits.push({
    type: "prepend",
    text:
      header.join("") +
      `const ${M} = ${JSON.stringify(shape.mode)}; export { ${M} as mode };\n` +
      `export default (${R}) => { const ${T} = ${R}.tick; let ${F} = 0; ` +
      `const args = ${R}.args, $ = ${R}.$, console = ${R}.console; return (async () => {\n`,
  });
  edits.push({ type: "append", text: "\n})(); };\n" });
  return edits;
}

/** The offset just after the first `count` tokens from `start` (`export default`), comments skipped. */
function afterKeywords(code: string, start: number, count: number): number {
  const tokens = tokenizer(code.slice(start), { ecmaVersion: "latest", sourceType: "module" });
  let end = start;
  for (let index = 0; index < count; index++) end = start + tokens.getToken().end;
  return end;
}

function terminated(statement: string): string {
  return statement.endsWith(";") ? `${statement}\n` : `${statement};\n`;
}

function endsWithSemicolon(code: string, node: Node): boolean {
  return code.charCodeAt(node.end - 1) === 59; // ";"
}
