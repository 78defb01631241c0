/**
 * Type-checks one snippet against the `$` type definitions with the TypeScript compiler, for the
 * playground and `POST /compile`. Findings are warnings: they never block a run. The snippet is
 * checked as a module in which `$` and `args` are declared, top-level `await` is allowed, and the
 * Workers runtime's globals exist. TypeScript does not look into a `return` outside a function, so
 * top-level returns are checked as `throw`s of the same length (same positions, same control flow).
 *
 * The language service keeps the parsed library files between calls, so only the first check
 * pays for reading them.
 */

import ts from "typescript-js";

export interface TypeDiagnostic {
  message: string;
  /** 1-based line and 0-based column of the start and end, in the checked text. */
  start: { line: number; column: number };
  end: { line: number; column: number };
  code: number;
}

/** Diagnostics that only say the snippet is not a plain module; snippets may do these. */
const ALLOWED = new Set([
  1108, // A 'return' statement can only be used within a function body.
  1375, // 'await' expressions are only allowed at the top level of a file when that file is a module...
  1378, // Top-level 'await' expressions are only allowed when the 'module' option is set to...
  2307, // Cannot find module: imports are checked by the compiler, against what the service provides.
  7027, // Unreachable code detected (code after a top-level return).
]);

const SNIPPET = "/snippet.ts";
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowUnreachableCode: true,
  lib: ["lib.es2024.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  types: [],
  // The ready set's declarations (node_modules/ among the library files) as a browser bundle sees
  // them: the sandbox loads their browser builds.
  customConditions: ["browser"],
};

/** Globals of the sandbox that lib.dom does not declare. */
const SANDBOX_GLOBALS = `
declare const scheduler: { wait(ms: number): Promise<void> };
`;

export class TypeChecker {
  private code = "";
  private version = 0;
  private readonly service: ts.LanguageService;

  /** @param files the TypeScript library files (name → text) and the `$` definitions */
  constructor(
    private readonly libraries: Readonly<Record<string, string>>,
    runtimeTypes: string,
  ) {
    const files: Record<string, string> = {
      "/runtime.d.ts": runtimeTypes,
      "/sandbox.d.ts": SANDBOX_GLOBALS,
    };
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => OPTIONS,
      getScriptFileNames: () => ["/runtime.d.ts", "/sandbox.d.ts", SNIPPET],
      getScriptVersion: (name) => (name === SNIPPET ? String(this.version) : "1"),
      getScriptSnapshot: (name) => {
        const text = name === SNIPPET ? this.code : (files[name] ?? this.library(name));
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => "/",
      getDefaultLibFileName: () => "/lib.es2024.d.ts",
      fileExists: (name) => name === SNIPPET || name in files || this.library(name) !== undefined,
      readFile: (name) => (name === SNIPPET ? this.code : (files[name] ?? this.library(name))),
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  check(code: string): TypeDiagnostic[] {
    const { text, insertions } = code.includes("return") ? throwTopLevelReturns(code) : { text: code, insertions: [] };
    // A module, so top-level await is allowed and nothing leaks into the global scope.
    this.code = /\b(?:import|export)\b/.test(code) ? text : `${text}\nexport {};`;
    this.version++;
    const file = this.service.getProgram()?.getSourceFile(SNIPPET);
    if (!file) return [];
    // Edits never add a line break, so a line is the same in both texts; a column moves back by
    // the characters inserted before it on its line.
    const place = (at: number) => {
      const { line, character } = file.getLineAndCharacterOfPosition(at);
      const lineStart = at - character;
      const shift = insertions.filter((insertedAt) => insertedAt >= lineStart && insertedAt < at).length;
      return { line: line + 1, column: character - shift };
    };
    return this.service
      .getSemanticDiagnostics(SNIPPET)
      .filter((diagnostic) => !ALLOWED.has(diagnostic.code) && diagnostic.start !== undefined)
      .map((diagnostic) => {
        const start = Math.min(diagnostic.start ?? 0, text.length);
        const end = Math.min(start + (diagnostic.length ?? 0), text.length);
        return {
          message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
          start: place(start),
          end: place(end),
          code: diagnostic.code,
        };
      });
  }

  private library(name: string): string | undefined {
    return this.libraries[name.replace(/^\//, "")];
  }
}

/**
 * `return x` outside a function becomes `throw  x` (six characters for six), and a bare `return`
 * becomes `throw 0` (over `return;`, or one character longer): the checker then looks into the
 * returned value and narrows after the exit as it would in a function. A returned value always
 * starts on the keyword's line, since a line break after `return` ends the statement. Returns the
 * text and the checked-text offsets at which one character was inserted.
 */
function throwTopLevelReturns(code: string): { text: string; insertions: number[] } {
  const file = ts.createSourceFile(SNIPPET, code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edits: { at: number; length: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    if (ts.isReturnStatement(node)) {
      const at = node.getStart(file);
      if (!code.startsWith("return", at)) return;
      if (node.expression) edits.push({ at, length: 6, text: "throw " });
      else if (code[at + 6] === ";") edits.push({ at, length: 7, text: "throw 0" });
      else edits.push({ at, length: 6, text: "throw 0" });
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  let text = "";
  let from = 0;
  const insertions: number[] = [];
  for (const edit of edits) {
    text += code.slice(from, edit.at);
    if (edit.text.length > edit.length) insertions.push(text.length + edit.length);
    text += edit.text;
    from = edit.at + edit.length;
  }
  return { text: text + code.slice(from), insertions };
}
