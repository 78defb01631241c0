/**
 * `POST /compile`: compile without running, for editors. Answers the detected shape, the unit id,
 * syntax errors and (for TypeScript) type errors against the `$` types as warnings, all with
 * 1-based ranges in the submitted text, and the compiled module when `output` is true.
 */

import { Hono } from "hono";
import { MODULE_LIMITS } from "../../../../shared/limits";
import type { Diagnostic } from "../../../compile/diagnostic";
import { describeType, ServiceError } from "../../../errors";
import { syntaxHint } from "../../../hints";
import { compileCode } from "../../../invoke/prepare";
import { parseCodeRequest } from "../../../invoke/request";
import { typeCheck } from "../../../sandbox/type-check";
import type { AuthEnv } from "../auth";
import { invocationOf } from "../invocation";
import { readRequestBody } from "../read-body";

export interface CompileDiagnostic {
  severity: "error" | "warning";
  source: "syntax" | "types";
  message: string;
  /** A multi-file request: the file, when not the main module. */
  file?: string;
  /** 1-based; the end is exclusive. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  hint?: string;
}

export const compileRoute = new Hono<AuthEnv>().post("/", async (c) => {
  const started = performance.now();
  const context = invocationOf(c);
  const body = await readRequestBody(c.req.raw, context.limits.bodyBytes, MODULE_LIMITS.bodyBytes);
  const request = parseCodeRequest(body, context.limits);
  const fields = body as Record<string, unknown>;
  const output = flag(fields.output, "output", false);
  const wantTypes = flag(fields.typecheck, "typecheck", true);

  const compiled = await compileCode(context, request);
  const compileMs = performance.now() - started;
  const language = compiled.ok ? compiled.unit.language : compiled.language;
  const diagnostics: CompileDiagnostic[] = compiled.ok ? [] : compiled.diagnostics.map(syntaxDiagnostic);

  let typecheckMs = 0;
  // The type checker sees one file: a multi-file request's imports would all be unresolved.
  if (compiled.ok && language === "typescript" && wantTypes && !request.modules) {
    const checkStarted = performance.now();
    for (const warning of await typeCheck(c.env.LOADER, request.code)) {
      diagnostics.push({
        severity: "warning",
        source: "types",
        message: warning.message,
        line: warning.start.line,
        column: warning.start.column + 1,
        endLine: warning.end.line,
        endColumn: warning.end.column + 1,
      });
    }
    typecheckMs = performance.now() - checkStarted;
  }

  return c.json({
    ok: compiled.ok,
    id: compiled.ok ? compiled.unit.id : compiled.id,
    cached: compiled.cached,
    language,
    ...(compiled.ok && { shape: { kind: compiled.unit.kind, mode: compiled.unit.mode } }),
    diagnostics,
    ...(compiled.ok && output && { output: compiled.unit.code }),
    timings: { compileMs: round(compileMs), typecheckMs: round(typecheckMs) },
    ...(request.warnings && { warnings: request.warnings }),
  });
});

/** A syntax error as an editor diagnostic: 1-based, one character wide. */
export function syntaxDiagnostic(diagnostic: Diagnostic): CompileDiagnostic {
  const line = diagnostic.position?.line ?? 1;
  const column = (diagnostic.position?.column ?? 0) + 1;
  return {
    severity: "error",
    source: "syntax",
    message: diagnostic.message,
    ...(diagnostic.file && { file: diagnostic.file }),
    line,
    column,
    endLine: line,
    endColumn: column + 1,
    hint: diagnostic.hint ?? syntaxHint(diagnostic.message),
  };
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new ServiceError("invalid_request", `\`${name}\` must be a boolean, got ${describeType(value)}.`);
  return value;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
