/**
 * The CodeMirror editor: TypeScript/JavaScript highlighting, `$` completions, Mod-Enter to run, and
 * diagnostics from two places (live /compile answers and the last run's error) shown together.
 * Positions from the service are 1-based lines and columns; CodeMirror wants document offsets.
 */

import { autocompletion } from "@codemirror/autocomplete";
import { javascript, javascriptLanguage } from "@codemirror/lang-javascript";
import { type Diagnostic as LintDiagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { Compartment, type Extension, Prec, type Text } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { basicSetup } from "codemirror";
import type { Diagnostic, ExecutionError, Language } from "./api";

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  onRun: () => void;
  onChange: () => void;
}

export interface Editor {
  view: EditorView;
  code(): string;
  setCode(code: string): void;
  setLanguage(language: Language): void;
  /** Adds `$` completions once /types has loaded. */
  setCompletions(source: Parameters<typeof javascriptLanguage.data.of>[0]["autocomplete"]): void;
  showCompileDiagnostics(diagnostics: Diagnostic[]): void;
  showRunError(error: ExecutionError | undefined): void;
  /** Moves the cursor to a 1-based line and column and focuses the editor. */
  goTo(line: number, column?: number): void;
}

const language = new Compartment();
const completions = new Compartment();

function languageFor(lang: Language): Extension {
  return javascript({ typescript: lang === "typescript" });
}

/** The offset of a 1-based line and column, clamped into the document. */
export function offsetOf(doc: Text, line: number, column: number): number {
  const target = doc.line(Math.min(Math.max(1, line), doc.lines));
  return Math.min(target.from + Math.max(0, column - 1), target.to);
}

export function createEditor(options: EditorOptions): Editor {
  let compileDiagnostics: Diagnostic[] = [];
  let runError: ExecutionError | undefined;

  const view = new EditorView({
    parent: options.parent,
    doc: options.doc,
    extensions: [
      basicSetup,
      // Above basicSetup's Mod-Enter (insertBlankLine): in the playground it runs the code.
      Prec.highest(
        keymap.of([
          {
            key: "Mod-Enter",
            run: () => {
              options.onRun();
              return true;
            },
          },
        ]),
      ),
      language.of(languageFor("typescript")),
      completions.of([]),
      autocompletion(),
      lintGutter(),
      EditorView.contentAttributes.of({ "aria-label": "Code editor" }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        // The run's error line may no longer mean anything; the next render drops its marker.
        runError = undefined;
        options.onChange();
      }),
    ],
  });

  function render(): void {
    const doc = view.state.doc;
    const diagnostics: LintDiagnostic[] = compileDiagnostics.map((d) => {
      const from = offsetOf(doc, d.line, d.column);
      let to = offsetOf(doc, d.endLine, d.endColumn);
      // A zero-width range shows as a hard-to-see point: cover one character where there is one.
      if (to <= from) to = Math.min(from + 1, doc.line(Math.min(Math.max(1, d.line), doc.lines)).to);
      return {
        from,
        to: Math.max(from, to),
        severity: d.severity,
        source: d.source,
        message: d.hint ? `${d.message}\n${d.hint}` : d.message,
      };
    });
    if (runError?.line) {
      const line = doc.line(Math.min(runError.line, doc.lines));
      const from = runError.column ? offsetOf(doc, runError.line, runError.column) : line.from;
      diagnostics.push({
        from: from === line.to ? line.from : from,
        to: line.to,
        severity: "error",
        source: runError.kind,
        message: `${runError.name}: ${runError.message}`,
      });
    }
    view.dispatch(setDiagnostics(view.state, diagnostics));
  }

  return {
    view,
    code: () => view.state.doc.toString(),
    setCode(code) {
      runError = undefined;
      compileDiagnostics = [];
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
      render();
    },
    setLanguage(lang) {
      view.dispatch({ effects: language.reconfigure(languageFor(lang)) });
    },
    setCompletions(source) {
      view.dispatch({ effects: completions.reconfigure(javascriptLanguage.data.of({ autocomplete: source })) });
    },
    showCompileDiagnostics(diagnostics) {
      compileDiagnostics = diagnostics;
      render();
    },
    showRunError(error) {
      runError = error;
      render();
    },
    goTo(line, column = 1) {
      const anchor = offsetOf(view.state.doc, line, column);
      view.dispatch({ selection: { anchor }, scrollIntoView: true });
      view.focus();
    },
  };
}
