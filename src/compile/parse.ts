/**
 * Stage 3: parse JavaScript with acorn as a module that may also `return` and `await` at the top
 * level, which is how snippets are written. The tree decides everything after this point; nothing
 * downstream looks at the text with regular expressions.
 */

import { type Options, type Program, parse } from "acorn";
import { fail, positionAt, type StageResult, succeed } from "./diagnostic";

/** How snippets parse; the TypeScript pass (erase-types.ts) uses the same options. */
export const PARSE_OPTIONS: Options = {
  ecmaVersion: "latest",
  sourceType: "module",
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
  allowHashBang: true,
};

interface AcornSyntaxError extends SyntaxError {
  pos: number;
  loc: { line: number; column: number };
}

export function parseProgram(code: string): StageResult<Program> {
  try {
    return succeed(parse(code, PARSE_OPTIONS));
  } catch (error) {
    if (!isAcornError(error)) throw error;
    // From the offset: acorn's own line count also breaks at U+2028 and U+2029.
    return fail(error.message.replace(/ \(\d+:\d+\)$/, ""), positionAt(code, error.pos), hintFor(error.message));
  }
}

function isAcornError(error: unknown): error is AcornSyntaxError {
  return error instanceof SyntaxError && typeof (error as Partial<AcornSyntaxError>).pos === "number";
}

/** One-line hints for the mistakes language models and people make most. */
function hintFor(message: string): string | undefined {
  if (message.startsWith("Unterminated")) return "Close the string, comment or template that starts here.";
  if (message.includes("'import' and 'export' may only appear at the top level")) {
    return "Move import and export declarations to the top level of the snippet.";
  }
  if (message.startsWith("Unexpected token"))
    return "Check for a missing bracket, comma or operator just before this point.";
  return undefined;
}
