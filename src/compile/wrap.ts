/**
 * Stage 6b: turn the parsed program into the module the prelude calls. The user's top level
 * becomes the body of an async function evaluated once per run, so `return` and `await` work, a
 * run never sees state from an earlier one, and `args`, `$` and `console` are in scope (and may
 * be shadowed). Imports move to the module's top level; exports become plain declarations.
 *
 *   import ...                                  (the user's imports, moved)
 *   const M = "call"; export { M as mode };
 *   export default (R) => { const T = R.tick; let F = 0; const args = R.args, $ = R.$,
 *     console = R.console; return (async () => { R.exports = () => ({ Counter, default: D });
 *   <the user's code, instrumented, its last expression returned>
 *   })(); };
 *
 * `R.exports` lists the module's exports for `open` (RPC on an export, runtime-prelude/session.ts):
 * called once the body has run, it reads the bindings this evaluation declared. Re-exports of other
 * files become imports under generated names so they are listed too.
 *
 * Only parsed nodes are edited, so no input can close the wrapper early: text that would is not a
 * program and never reaches this stage.
 */

import { type Node, type Pattern, tokenizer } from "acorn";
import type { Edit } from "./emit";
import type { GeneratedNames } from "./names";
import type { Shape } from "./shape";

export function wrapEdits(code: string, shape: Shape, names: GeneratedNames): Edit[] {
  const edits: Edit[] = [];
  const header: string[] = [];
  /** `key: local` entries of the exports object, in source order. */
  const exported: string[] = [];
  const reexport = () => `${names.mode}_x${exported.length}`;

  for (const node of shape.imports) {
    header.push(terminated(code.slice(node.start, node.end)));
    edits.push({ type: "remove", start: node.start, end: node.end });
  }
  for (const node of shape.exports) {
    if (node.type === "ExportAllDeclaration") {
      // `export * from "x"` / `export * as ns from "x"`: the namespace, imported under a generated name.
      const local = reexport();
      header.push(`import * as ${local} from ${JSON.stringify(String(node.source.value))};\n`);
      exported.push(node.exported ? `${key(node.exported)}: ${local}` : `...${local}`);
      edits.push({ type: "remove", start: node.start, end: node.end });
    } else if (node.type === "ExportNamedDeclaration" && node.source) {
      const imported = node.specifiers.map((specifier) => {
        const local = reexport();
        exported.push(`${key(specifier.exported)}: ${local}`);
        return `${key(specifier.local)} as ${local}`;
      });
      header.push(`import { ${imported.join(", ")} } from ${JSON.stringify(String(node.source.value))};\n`);
      edits.push({ type: "remove", start: node.start, end: node.end });
    } else if (node.type === "ExportNamedDeclaration") {
      if (node.declaration) {
        for (const name of declaredNames(node.declaration)) exported.push(`${JSON.stringify(name)}: ${name}`);
        edits.push({ type: "remove", start: node.start, end: node.declaration.start });
      } else {
        for (const specifier of node.specifiers) {
          exported.push(`${key(specifier.exported)}: ${(specifier.local as { name: string }).name}`);
        }
        edits.push({ type: "remove", start: node.start, end: node.end });
      }
    } else {
      const completion = shape.completion;
      if (completion.type === "binding") exported.push(`default: ${completion.name}`);
      else if (completion.type === "default-export") exported.push(`default: ${names.result}`);
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
      `const args = ${R}.args, $ = ${R}.$, console = ${R}.console; return (async () => {` +
      (exported.length > 0 ? ` ${R}.exports = () => ({ ${exported.join(", ")} });` : "") +
      "\n",
  });
  edits.push({ type: "append", text: "\n})(); };\n" });
  return edits;
}

/** An export name as an object key: `a`, `"a-b"`, `default`. */
function key(node: { type: string; name?: string; value?: unknown }): string {
  return JSON.stringify(node.type === "Identifier" ? node.name : String(node.value));
}

/** The names a declaration binds: `function f`, `class C`, `const { a, b: [c] } = ...`. */
function declaredNames(declaration: Node): string[] {
  const node = declaration as Node & { id?: { name: string }; declarations?: { id: Pattern }[] };
  if (node.declarations) return node.declarations.flatMap((declarator) => patternNames(declarator.id));
  return node.id ? [node.id.name] : [];
}

function patternNames(pattern: Pattern): string[] {
  switch (pattern.type) {
    case "Identifier":
      return [pattern.name];
    case "ObjectPattern":
      return pattern.properties.flatMap((property) =>
        patternNames(property.type === "RestElement" ? property.argument : property.value),
      );
    case "ArrayPattern":
      return pattern.elements.flatMap((element) => (element ? patternNames(element) : []));
    case "AssignmentPattern":
      return patternNames(pattern.left);
    case "RestElement":
      return patternNames(pattern.argument);
    default:
      return [];
  }
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
