/**
 * Problems in the user's code are data, not exceptions: each stage returns either its output or
 * diagnostics located in its own input, which `compile()` maps back to the submitted text.
 */

/** A 1-based line and 0-based column, as acorn, esbuild and source maps count them. */
export interface Position {
  line: number;
  column: number;
}

export interface Diagnostic {
  message: string;
  /** Where the problem is; absent only when it cannot be located. */
  position?: Position;
  /** One line saying how to fix it, for people and language models. */
  hint?: string;
}

export type StageResult<T> = { ok: true; value: T } | { ok: false; diagnostics: Diagnostic[] };

export function succeed<T>(value: T): StageResult<T> {
  return { ok: true, value };
}

export function fail<T>(message: string, position?: Position, hint?: string): StageResult<T> {
  return { ok: false, diagnostics: [{ message, position, hint }] };
}

/** Line and column of an offset, counting `\n` line breaks (input is normalised to `\n`). */
export function positionAt(code: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let index = code.indexOf("\n"); index !== -1 && index < offset; index = code.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart };
}
