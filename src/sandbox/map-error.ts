/**
 * Maps an error from the sandbox back to the user's code: stack frames in the compiled unit are
 * traced through the unit's source maps to the submitted text, frames of the prelude and of the
 * generated wrapper are dropped, and the first user frame gives the error's line and column.
 */

import { UNIT_MODULE } from "../../shared/protocol";
import { fromJsLines } from "../compile/diagnostic";
import type { FilePosition, PositionTrace } from "../compile/positions";

export interface MappedStack {
  /** The stack with user frames in submitted coordinates and internal frames removed. */
  stack?: string;
  /** The first frame in the user's code, 1-based line and 0-based column (`file` when not the main module). */
  position?: FilePosition;
}

const UNIT_FRAME = new RegExp(
  `^(\\s*at (?:async )?)(?:(.*?) \\()?(?:[\\w+.-]+:/*)?(?:\\./)?${UNIT_MODULE.replace(".", "\\.")}:(\\d+):(\\d+)\\)?$`,
);
const INTERNAL_FRAME = /\bprelude\.js:\d+:\d+\)?$/;

/**
 * @param generated the unit's text: V8 counts U+2028 and U+2029 as line breaks in stack positions,
 *   while source maps count only `\n`, so positions in a unit that contains them are converted
 */
export function mapStack(
  stack: string | undefined,
  trace: PositionTrace,
  fileName: string,
  generated?: string,
): MappedStack {
  if (!stack) return {};

  const lines = stack.split("\n");
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line));
  const header = firstFrame === -1 ? lines : lines.slice(0, firstFrame);
  const frames: string[] = [];
  let position: FilePosition | undefined;
  let lastUserFrame = -1;
  for (const line of firstFrame === -1 ? [] : lines.slice(firstFrame)) {
    if (INTERNAL_FRAME.test(line)) continue;
    const match = UNIT_FRAME.exec(line);
    if (!match) {
      frames.push(line);
      continue;
    }
    const [, prefix = "    at ", name, lineText = "0", columnText = "0"] = match;
    // V8 columns are 1-based; source maps count from 0.
    const reported = { line: Number(lineText), column: Number(columnText) - 1 };
    const source = trace.toSource(generated === undefined ? reported : fromJsLines(generated, reported));
    if (!source) continue;
    position ??= source;
    const location = `${source.file ?? fileName}:${source.line}:${source.column + 1}`;
    frames.push(name ? `${prefix}${name} (${location})` : `${prefix}${location}`);
    lastUserFrame = frames.length - 1;
  }
  // Native frames (`at Array.map (<anonymous>)`) only help between user frames.
  frames.length = lastUserFrame + 1;
  return { stack: [...header, ...frames].join("\n"), position };
}
