/**
 * The named exports of a CommonJS entry, found as Node finds them (cjs-module-lexer: static analysis,
 * the package's code never runs in the host). Re-exports (`module.exports = require("./lib")`) are
 * followed inside the package.
 */

// The lexer's plain JavaScript build: its `import` condition loads a WebAssembly build, which
// workerd cannot compile at run time.
import { parse } from "../../node_modules/cjs-module-lexer/lexer.js";

const MAX_DEPTH = 8;

/** Names for `export const { ... } = module.exports`: identifiers only, never `default`. */
export function commonJsExports(
  file: string,
  read: (path: string) => string | undefined,
  resolve: (from: string, specifier: string) => string | undefined,
): string[] {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string, depth: number): void => {
    if (seen.has(path) || depth > MAX_DEPTH) return;
    seen.add(path);
    const source = read(path);
    if (source === undefined) return;
    let found: { exports: string[]; reexports: string[] };
    try {
      found = parse(source, path);
    } catch {
      return;
    }
    for (const name of found.exports) names.add(name);
    for (const specifier of found.reexports) {
      const target = resolve(path, specifier);
      if (target) visit(target, depth + 1);
    }
  };
  visit(file, 0);
  names.delete("default");
  names.delete("__esModule");
  return [...names].filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name)).sort();
}

const RESERVED = new Set(
  "await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield".split(
    " ",
  ),
);
