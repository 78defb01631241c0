/** What a caller submits for compilation. */

export type Language = "typescript" | "javascript";

export const LANGUAGES: readonly Language[] = ["typescript", "javascript"];

export interface CompileInput {
  /** The submitted text: a snippet, a module, or either inside a Markdown fence. */
  code: string;
  language: Language;
}
