/**
 * The other source files of a multi-file request, before bundling: TypeScript stripped, then every
 * loop and function entry instrumented like the main module's (instrument.ts), so a loop in an
 * imported file is bounded too. Imported files are not wrapped: they keep their exports and reach
 * the run's `tick` by importing `TICK_SPECIFIER`, a module the bundler adds that reads `TICK_GLOBAL`
 * (defined read-only by the prelude; it ticks the run the isolate is executing, or the module load
 * while the unit is imported). An import under a fresh name cannot be shadowed by the file's own
 * declarations, as a `globalThis` reference could (`function globalThis() {}` is hoisted).
 */

import type { Diagnostic } from "./diagnostic";
import { applyEdits } from "./emit";
import { normalizeLineEndings } from "./fence";
import { instrumentEdits } from "./instrument";
import { generatedNames } from "./names";
import type { PositionStep } from "./positions";
import { readProgram } from "./strip-types";

/** The module imported files get `tick` from (bundle.ts provides it). */
export const TICK_SPECIFIER = "functions.do:tick";

export interface PreparedFile {
  /** JavaScript for the bundler (JSON files stay as they are). */
  code: string;
  loader: "js" | "json";
  /** From positions in `code` to positions in the submitted file. */
  steps: PositionStep[];
}

export async function prepareFile(
  path: string,
  source: string,
): Promise<{ ok: true; file: PreparedFile } | { ok: false; diagnostics: Diagnostic[] }> {
  const text = normalizeLineEndings(source);
  if (path.endsWith(".json")) {
    try {
      JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, diagnostics: [{ message: `Invalid JSON: ${message}`, file: path }] };
    }
    return { ok: true, file: { code: text, loader: "json", steps: [] } };
  }
  const failed = (diagnostics: Diagnostic[]) => ({
    ok: false as const,
    diagnostics: diagnostics.map((diagnostic) => ({ ...diagnostic, file: path })),
  });
  const steps: PositionStep[] = [];
  const read = await readProgram(text, path.endsWith(".ts"), steps);
  if (!read.ok) return failed(read.diagnostics);
  const { js, program } = read.value;
  const names = generatedNames(js, program);
  const emitted = applyEdits(js, [
    ...instrumentEdits(program, names),
    {
      type: "prepend",
      text: `import { tick as ${names.tick} } from ${JSON.stringify(TICK_SPECIFIER)}; let ${names.fuel} = 0;\n`,
    },
  ]);
  steps.push({ type: "map", map: emitted.map });
  return { ok: true, file: { code: emitted.code, loader: "js", steps } };
}
