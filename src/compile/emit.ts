/**
 * Stage 7: apply the edits the earlier stages decided, with magic-string, producing the module
 * text and a source map back to the stage's input. Edits are plain data; besides type stripping
 * (strip-types.ts, which wraps and unwraps TypeScript for esbuild), this is where text changes.
 * Edits at the same offset apply in the order given.
 */

import MagicString from "magic-string";
import { decodedMap, type MapInput } from "./positions";

export type Edit =
  /** Insert `text` before offset `at` (after anything inserted there earlier). */
  | { type: "insert"; at: number; text: string }
  | { type: "remove"; start: number; end: number }
  | { type: "replace"; start: number; end: number; text: string }
  /** Text placed before everything else, in order. */
  | { type: "prepend"; text: string }
  /** Text placed after everything else, in order. */
  | { type: "append"; text: string };

export interface Emitted {
  code: string;
  map: MapInput;
}

/**
 * Module text reaches the loader as UTF-8, where a lone surrogate cannot be represented and would
 * turn into replacement characters, changing a string literal's value. As a `\uXXXX` escape it
 * means the same code unit in strings, templates and regular expressions.
 */
export function escapeLoneSurrogates(code: string): string {
  if (code.isWellFormed()) return code;
  return code.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16)}`,
  );
}

export function applyEdits(code: string, edits: readonly Edit[]): Emitted {
  const text = new MagicString(code);
  const header: string[] = [];
  for (const edit of edits) {
    switch (edit.type) {
      case "insert":
        text.appendLeft(edit.at, edit.text);
        break;
      case "remove":
        text.remove(edit.start, edit.end);
        break;
      case "replace":
        text.overwrite(edit.start, edit.end, edit.text);
        break;
      case "prepend":
        header.push(edit.text);
        break;
      case "append":
        text.append(edit.text);
        break;
    }
  }
  if (header.length > 0) text.prepend(header.join(""));
  return { code: text.toString(), map: decodedMap(text, "input.js") };
}
