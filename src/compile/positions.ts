/**
 * Traces a position in generated code back to the submitted text. Each stage that moves text
 * contributes one step (a line shift or a source map); tracing walks the steps from last to first.
 * Source maps are decoded lazily: only a failing run pays for them.
 */

import {
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  originalPositionFor,
  type SourceMapInput,
  TraceMap,
} from "@jridgewell/trace-mapping";
import type MagicString from "magic-string";
import { fromJsLines, type Position } from "./diagnostic";

export type MapInput = SourceMapInput;

export type PositionStep =
  | { type: "shift"; lines: number }
  /**
   * A source map from this step's output to its input; `source` names the input when the map has
   * several. `jsLinesOf`: the input's text, when the map counts lines the JavaScript way (U+2028 and
   * U+2029 too, as esbuild does); positions are converted to `\n` lines.
   */
  | { type: "map"; map: MapInput; source?: string; jsLinesOf?: string };

/** The edits made with `text` as a decoded source map, character by character. */
export function decodedMap(text: MagicString, source?: string): MapInput {
  return { version: 3, ...text.generateDecodedMap({ hires: true, source }) } as MapInput;
}

/** A position in one of the submitted files of a multi-file request. */
export type FilePosition = Position & { file?: string };

export class PositionTrace {
  private readonly decoded = new Map<number, TraceMap>();

  /**
   * @param files for a multi-file unit: the other files' traces by their name in the last map
   *   step's sources, each from its own stage output back to its submitted text.
   */
  constructor(
    readonly steps: readonly PositionStep[],
    readonly files?: Readonly<Record<string, { path: string; trace: PositionTrace }>>,
  ) {}

  /** Traces through every step. `file` is set when the position is in another submitted file. */
  toSource(position: Position): FilePosition | undefined {
    if (this.files) {
      const last = this.steps.at(-1);
      if (last?.type === "map") {
        const found = this.original(this.steps.length - 1, last, position);
        const other = found && this.files[found.source];
        if (found && other) {
          const inFile = other.trace.toSource(found);
          return inFile && { ...inFile, file: other.path };
        }
      }
    }
    return this.throughSteps(position, this.steps.length);
  }

  /** The original position and source name a map step gives, whatever the source. */
  private original(index: number, step: PositionStep & { type: "map" }, position: Position) {
    const map = this.traceMap(index, step);
    for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
      const found = originalPositionFor(map, { line: position.line, column: position.column, bias });
      if (found.line !== null) return { line: found.line, column: found.column, source: found.source ?? "" };
    }
    return undefined;
  }

  /** Step `index`'s map, decoded on first use. */
  private traceMap(index: number, step: PositionStep & { type: "map" }): TraceMap {
    let map = this.decoded.get(index);
    if (!map) {
      map = new TraceMap(step.map);
      this.decoded.set(index, map);
    }
    return map;
  }

  /** Traces a position in the input of stage `count` (the output of the first `count` steps). */
  throughSteps(position: Position, count: number): Position | undefined {
    let current: Position | undefined = position;
    for (let index = count - 1; index >= 0 && current; index--) {
      const step = this.steps[index];
      if (!step) return undefined;
      current = this.step(index, step, current);
    }
    return current;
  }

  private step(index: number, step: PositionStep, position: Position): Position | undefined {
    if (step.type === "shift") return { line: position.line + step.lines, column: position.column };
    const map = this.traceMap(index, step);
    for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
      // Some generators leave the start of a line unmapped: then the next mapped column is used.
      const found = originalPositionFor(map, { line: position.line, column: position.column, bias });
      if (found.line === null) continue;
      if (step.source !== undefined && found.source !== step.source) return undefined;
      const original = { line: found.line, column: found.column };
      return step.jsLinesOf === undefined ? original : fromJsLines(step.jsLinesOf, original);
    }
    return undefined;
  }
}
