/**
 * Builds the public result of an execution (docs/api.md, "POST /execute") from what the compiler and
 * the (vetted) sandbox answer produced: errors located in the submitted text with a code frame,
 * custom error properties kept, and the result spliced in as the JSON text the sandbox encoded.
 * Every door reports through here, so an error reads the same over HTTP, MCP and RPC.
 */

import type { CallRecord, ErrorKind, LogEntry, SandboxError } from "../../shared/protocol";
import type { CompiledUnit } from "../compile";
import type { Diagnostic, Position } from "../compile/diagnostic";
import type { Language } from "../compile/input";
import { runtimeHint, syntaxHint } from "../hints";
import { mapStack } from "../sandbox/map-error";

export interface ExecutionError {
  kind: ErrorKind;
  name: string;
  message: string;
  /** A multi-file request: the file `line` and `column` are in. */
  file?: string;
  /** 1-based, in the submitted code. */
  line?: number;
  /** 1-based, in the submitted code. */
  column?: number;
  stack?: string;
  /** A one-line suggestion for fixing a syntax error. */
  hint?: string;
  /** The offending lines of the submitted code with a caret under the column. */
  frame?: string;
  /** Every problem found, when compilation found more than one. */
  diagnostics?: { message: string; file?: string; line?: number; column?: number; hint?: string }[];
  /** Own enumerable properties of the thrown value (`code`, `details`, ...). */
  [property: string]: unknown;
}

export interface Execution {
  ok: boolean;
  /** JSON text of the result; absent when the result was `undefined` or the run failed. */
  resultJson?: string;
  error?: ExecutionError;
  logs: LogEntry[];
  /** Every call the snippet made through `$`, in order of completion. */
  calls: CallRecord[];
  id: string;
  cached: boolean;
  timings: { compileMs: number; runMs: number; totalMs: number };
  /** Non-fatal notes about the request (a large WebAssembly file). */
  warnings?: string[];
}

/** A multi-file unit's main module path and the texts of its other files, for `file` and frames. */
export interface SourceFiles {
  main: string;
  sources: Record<string, string>;
}

/** The name the user's code has in stack traces and frames. */
export function sourceName(language: Language): string {
  return language === "typescript" ? "snippet.ts" : "snippet.js";
}

export function syntaxError(diagnostics: readonly Diagnostic[], source: string, files?: SourceFiles): ExecutionError {
  const [first] = diagnostics;
  const file = first?.file ?? files?.main;
  const error: ExecutionError = {
    // A registry package that could not be linked: a `PackageError`, of kind `resource` when the
    // registry could not be reached or a package is over a limit.
    kind: first?.package?.kind ?? "syntax",
    name: first?.package ? "PackageError" : "SyntaxError",
    message: first?.message ?? "The code could not be compiled.",
    ...(file !== undefined && { file }),
    ...located(first?.position, fileSource(source, files, first?.file)),
  };
  const hint = first?.hint ?? syntaxHint(error.message);
  if (hint !== undefined) error.hint = hint;
  if (diagnostics.length > 1) {
    error.diagnostics = diagnostics.map((diagnostic) => {
      const file = diagnostic.file ?? files?.main;
      const hint = diagnostic.hint ?? syntaxHint(diagnostic.message);
      return {
        message: diagnostic.message,
        ...(file !== undefined && { file }),
        ...(diagnostic.position && { line: diagnostic.position.line, column: diagnostic.position.column + 1 }),
        ...(hint !== undefined && { hint }),
      };
    });
  }
  return error;
}

const RESERVED = new Set([
  "kind",
  "name",
  "message",
  "file",
  "line",
  "column",
  "stack",
  "hint",
  "frame",
  "diagnostics",
]);

export function runError(error: SandboxError, unit: CompiledUnit, source: string): ExecutionError {
  const files = unit.files;
  const mapped = mapStack(error.stack, unit.trace, files?.main ?? sourceName(unit.language), unit.code);
  const file = mapped.position ? (mapped.position.file ?? files?.main) : undefined;
  const described: ExecutionError = {
    kind: error.kind,
    name: error.name,
    message: error.message,
    ...(file !== undefined && { file }),
    ...located(mapped.position, fileSource(source, files, mapped.position?.file)),
  };
  const hint = runtimeHint(error.kind, error.name, error.message);
  if (hint) described.hint = hint;
  if (mapped.stack) described.stack = mapped.stack;
  if (error.props) {
    const props = JSON.parse(error.props) as Record<string, unknown>;
    for (const [key, value] of Object.entries(props)) {
      if (!RESERVED.has(key))
        Object.defineProperty(described, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return described;
}

function fileSource(main: string, files: SourceFiles | undefined, file: string | undefined): string {
  return file === undefined || !files ? main : (files.sources[file] ?? "").replace(/\r\n?/g, "\n");
}

function located(position: Position | undefined, source: string): Partial<ExecutionError> {
  if (!position) return {};
  return { line: position.line, column: position.column + 1, frame: codeFrame(source, position) };
}

const FRAME_CONTEXT = 2;
const FRAME_WIDTH = 160;

/** `  2 | const a = 1;\n> 3 | a.b.c\n    |   ^` */
export function codeFrame(source: string, position: Position): string {
  const lines = source.split("\n");
  const first = Math.max(1, position.line - FRAME_CONTEXT);
  const last = Math.min(lines.length, position.line);
  const width = String(last).length;
  const out: string[] = [];
  for (let number = first; number <= last; number++) {
    const text = (lines[number - 1] ?? "").slice(0, FRAME_WIDTH);
    out.push(`${number === position.line ? ">" : " "} ${String(number).padStart(width)} | ${text}`);
  }
  const line = lines[position.line - 1] ?? "";
  const lead = line.slice(0, Math.min(position.column, FRAME_WIDTH)).replace(/[^\t]/g, " ");
  out.push(`  ${" ".repeat(width)} | ${lead}^`);
  return out.join("\n");
}

/** The members of the answer but `result`, in the order every door answers them. */
function answerFields(execution: Execution): Record<string, unknown> {
  return {
    ok: execution.ok,
    ...(execution.error && { error: execution.error }),
    logs: execution.logs,
    calls: execution.calls,
    id: execution.id,
    cached: execution.cached,
    timings: execution.timings,
    ...(execution.warnings && { warnings: execution.warnings }),
  };
}

/** The response body: the result goes in as the JSON text the sandbox produced, never re-encoded. */
export function executionJson(execution: Execution): string {
  const body = JSON.stringify(answerFields(execution));
  const { resultJson } = execution;
  return resultJson === undefined ? body : `{"ok":true,"result":${resultJson},${body.slice('{"ok":true,'.length)}`;
}

/** The execution as the object RPC, capnweb and MCP callers receive: the same shape as the HTTP body. */
export function executionObject(execution: Execution): Record<string, unknown> {
  const { ok, ...rest } = answerFields(execution);
  const { resultJson } = execution;
  // The result is the sandbox's JSON text (vetted as one JSON value); it is decoded once, here.
  return resultJson === undefined ? { ok, ...rest } : { ok, result: JSON.parse(resultJson), ...rest };
}
