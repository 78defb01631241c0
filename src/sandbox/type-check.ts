/**
 * Type checks through the checker's own isolate (type-checker/): the host holds the bundled
 * TypeScript compiler as text and loads it through the Worker Loader the first time a check is
 * asked for; the isolate then stays cached and keeps TypeScript's parsed libraries warm.
 */

import type { Position } from "../compile/diagnostic";
import { normalizeLineEndings, stripFence } from "../compile/fence";
import { BUILD_ID, RUNTIME_TYPES } from "../generated/prelude";
import CHECKER_SOURCE from "../generated/type-checker.txt";

export interface TypeWarning {
  message: string;
  /** 1-based line, 0-based column, in the submitted text. */
  start: Position;
  end: Position;
  code: number;
}

interface CheckerEntrypoint {
  check(code: string, runtimeTypes: string): Promise<TypeWarning[]>;
}

function checker(loader: WorkerLoader): CheckerEntrypoint {
  const stub = loader.get(`type-checker/${BUILD_ID}`, () => ({
    compatibilityDate: "2026-11-01",
    mainModule: "checker.js",
    modules: { "checker.js": CHECKER_SOURCE },
    globalOutbound: null,
  }));
  return stub.getEntrypoint() as unknown as CheckerEntrypoint;
}

/** Loads the checker and its libraries ahead of the first real check. */
export async function warmTypeChecker(loader: WorkerLoader): Promise<void> {
  await checker(loader)
    .check("", RUNTIME_TYPES)
    .catch(() => undefined);
}

export async function typeCheck(loader: WorkerLoader, submitted: string): Promise<TypeWarning[]> {
  const { code, lineOffset } = stripFence(normalizeLineEndings(submitted));
  const warnings = await checker(loader).check(code, RUNTIME_TYPES);
  const shift = (position: Position) => ({ line: position.line + lineOffset, column: position.column });
  return warnings.map((warning) => ({ ...warning, start: shift(warning.start), end: shift(warning.end) }));
}
