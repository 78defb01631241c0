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
  /** In a multi-file request: the file the problem is in, when it is not the main module. */
  file?: string;
  /**
   * A problem with an imported registry package (src/packages): it depends on the registry, the
   * operator's policy and the tenant, not only on the code, so the result is never cached; `kind`
   * is `resource` when the registry could not be reached or a package is over a limit.
   */
  package?: { kind: "syntax" | "resource" };
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
  return new LineIndex(code).positionAt(offset);
}

/**
 * Where each line starts, for turning many offsets into positions in O(log n) each. Only `\n`
 * breaks lines: the submitted text's lines as an editor shows them (U+2028 inside a string is text).
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(code: string) {
    for (let index = code.indexOf("\n"); index !== -1; index = code.indexOf("\n", index + 1))
      this.starts.push(index + 1);
  }

  positionAt(offset: number): Position {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (this.starts[low] ?? 0) };
  }
}

/** esbuild reports columns in UTF-8 bytes of `lineText`; positions here count UTF-16 units. */
export function utf16Column(lineText: string, byteColumn: number): number {
  const bytes = new TextEncoder().encode(lineText);
  return new TextDecoder().decode(bytes.subarray(0, byteColumn)).length;
}

/**
 * JavaScript (and esbuild) also break lines at U+2028 and U+2029; positions here count `\n` only,
 * the lines an editor shows. Converts a position counted the JavaScript way in `text`.
 */
export function fromJsLines(text: string, position: Position): Position {
  if (!/[\u2028\u2029]/.test(text)) return position;
  let line = 1;
  let offset = 0;
  for (let index = 0; index < text.length && line < position.line; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x0a || char === 0x2028 || char === 0x2029) {
      line++;
      offset = index + 1;
    }
  }
  return positionAt(text, offset + position.column);
}
