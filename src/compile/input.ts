/** What a caller submits for compilation. */

export type Language = "typescript" | "javascript";

export const LANGUAGES: readonly Language[] = ["typescript", "javascript"];

export interface CompileInput {
  /** The submitted text: a snippet, a module, or either inside a Markdown fence. */
  code: string;
  language: Language;
  /** A multi-file request: `code` is then the main module's text (docs/api.md, `modules`). */
  modules?: SubmittedModules;
}

export interface SubmittedModules {
  /** The path of the main module (whose text is `code`). */
  main: string;
  /** Every other JavaScript, TypeScript and JSON file, by normalised relative path. */
  sources: Record<string, string>;
  /** WebAssembly files, decoded and validated, by normalised relative path. */
  wasm: Record<string, Uint8Array>;
}
