/**
 * Stage 2: TypeScript → JavaScript, keeping positions traceable. Four paths, cheapest first:
 *  1. the text already parses as JavaScript (most snippets): nothing to strip;
 *  2. its types can be erased in place (erase-types.ts): positions do not move at all;
 *  3. esbuild-wasm transforms it as it is, with a source map;
 *  4. esbuild refuses only because a module (it uses `await`, `import` or `export`) also returns at
 *     the top level, which snippets do but ECMAScript modules may not: the body after the leading
 *     imports is wrapped in a function for esbuild, and the wrapper is taken off its output again.
 *     The output must be exactly [imports..., the wrapper]; anything after the wrapper means the
 *     input closed the wrapper itself, which is reported as the syntax error it is.
 */

import { eachMapping, TraceMap } from "@jridgewell/trace-mapping";
import type { Program } from "acorn";
import { type Token, tokenizer, tokTypes } from "acorn";
import type { Message } from "esbuild-wasm";
import MagicString from "magic-string";
import {
  type Diagnostic,
  fail,
  fromJsLines,
  type Position,
  positionAt,
  type StageResult,
  succeed,
  utf16Column,
} from "./diagnostic";
import { eraseTypes } from "./erase-types";
import { loadEsbuild } from "./esbuild";
import { freshName } from "./names";
import { parseProgram } from "./parse";
import { decodedMap, type PositionStep, PositionTrace } from "./positions";

export interface Stripped {
  /** JavaScript. */
  code: string;
  /** From positions in `code` back to positions in the stage's input. */
  steps: PositionStep[];
  /** The parsed program, when the input was JavaScript already (saves parsing it again). */
  program?: Program;
}

const TOP_LEVEL_RETURN = "Top-level return cannot be used inside an ECMAScript module";

/**
 * JavaScript and its program from TypeScript (types stripped) or JavaScript (parsed): stages 2
 * and 3. The stripping's position steps are pushed onto `steps` before parsing, so a parse error
 * in the stripped text is located through them.
 */
export async function readProgram(
  code: string,
  typescript: boolean,
  steps: PositionStep[],
): Promise<StageResult<{ js: string; program: Program }>> {
  let js = code;
  let program: Program | undefined;
  if (typescript) {
    const stripped = await stripTypes(js);
    if (!stripped.ok) return stripped;
    js = stripped.value.code;
    program = stripped.value.program;
    steps.push(...stripped.value.steps);
  }
  if (!program) {
    const parsed = parseProgram(js);
    if (!parsed.ok) return parsed;
    program = parsed.value;
  }
  return { ok: true, value: { js, program } };
}

export async function stripTypes(code: string): Promise<StageResult<Stripped>> {
  const asJavaScript = parseProgram(code);
  if (asJavaScript.ok) return succeed({ code, steps: [], program: asJavaScript.value });

  const erased = eraseTypes(code);
  if (erased) return succeed({ code: erased.code, steps: [], program: erased.program });

  const direct = await transform(code);
  if (direct.ok) {
    return succeed({
      code: await keepDroppedTail(code, direct.code, direct.map),
      steps: [{ type: "map", map: direct.map, jsLinesOf: code }],
    });
  }
  if (!direct.errors.every((error) => error.text === TOP_LEVEL_RETURN)) {
    return { ok: false, diagnostics: direct.errors.map((error) => toDiagnostic(error, code)) };
  }
  return stripWrapped(code);
}

async function stripWrapped(code: string): Promise<StageResult<Stripped>> {
  const name = freshName(code, "__fx_body");
  const wrapper = new MagicString(code);
  wrapper.appendLeft(leadingImportsEnd(code), `\nasync function ${name}() {\n`);
  wrapper.append("\n}");
  const wrapStep: PositionStep = { type: "map", map: decodedMap(wrapper) };
  const toInput = (position: Position | undefined, steps: PositionStep[]) =>
    position && new PositionTrace(steps).toSource(position);

  const wrapped = wrapper.toString();
  const stripped = await transform(wrapped);
  if (!stripped.ok) {
    return {
      ok: false,
      diagnostics: stripped.errors.map((error) => {
        const diagnostic = toDiagnostic(error, wrapped);
        return { ...diagnostic, position: toInput(diagnostic.position, [wrapStep]) };
      }),
    };
  }
  const transformStep: PositionStep = { type: "map", map: stripped.map, jsLinesOf: wrapped };
  const parsed = parseProgram(stripped.code);
  if (!parsed.ok) throw new Error(`esbuild produced JavaScript acorn cannot parse: ${parsed.diagnostics[0]?.message}`);
  const body = parsed.value.body;
  const index = body.findIndex((node) => node.type === "FunctionDeclaration" && node.id?.name === name);
  const fn = body[index];
  if (fn?.type !== "FunctionDeclaration") throw new Error("esbuild dropped the type-stripping wrapper");
  if (index !== body.length - 1) {
    // The wrapper's closing brace in the output is the `}` in the input that closed it early.
    const closing = positionAt(stripped.code, fn.body.end - 1);
    return fail(
      'Unexpected "}"',
      toInput(closing, [wrapStep, transformStep]),
      "This closes more blocks than were opened; remove it or add the missing opening brace.",
    );
  }
  const unwrap = new MagicString(stripped.code);
  unwrap.remove(fn.start, fn.body.start + 1);
  unwrap.remove(fn.body.end - 1, fn.end);
  return succeed({
    code: unwrap.toString(),
    steps: [wrapStep, transformStep, { type: "map", map: decodedMap(unwrap) }],
  });
}

type Transformed = { ok: true; code: string; map: string } | { ok: false; errors: Message[] };

async function transform(code: string): Promise<Transformed> {
  const esbuild = await loadEsbuild();
  try {
    const result = await esbuild.transform(code, {
      loader: "ts",
      sourcefile: "snippet.ts",
      sourcemap: "external",
      target: "esnext",
      // V8 does not run decorators yet; everything else is left as written.
      supported: { decorators: false },
      charset: "utf8",
      logLevel: "silent",
    });
    return { ok: true, code: result.code, map: result.map };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) throw error;
    return { ok: false, errors };
  }
}

/**
 * esbuild drops an expression statement it can prove has no effect (`-1`, `!0`, `NaN`,
 * `undefined?.x()`), but a snippet's last expression is its result. The last line is put back when
 * it was such a statement of its own: no output position maps into it, it parses alone as one
 * expression statement of plain JavaScript, and the code without it transforms to the same output.
 */
async function keepDroppedTail(input: string, output: string, map: string): Promise<string> {
  const lines = input.split("\n");
  let last = lines.length - 1;
  while (last > 0 && (lines[last] ?? "").trim() === "") last--;
  const text = (lines[last] ?? "").trim();
  if (text === "" || !isExpressionStatement(text)) return output;
  let mapped = false;
  eachMapping(new TraceMap(map), (mapping) => {
    if (mapping.originalLine === last + 1) mapped = true;
  });
  if (mapped) return output;
  const without = await transform(lines.slice(0, last).join("\n"));
  return without.ok && without.code === output ? `${output}${text}\n` : output;
}

function isExpressionStatement(text: string): boolean {
  const parsed = parseProgram(text);
  return parsed.ok && parsed.value.body.length === 1 && parsed.value.body[0]?.type === "ExpressionStatement";
}

/** An esbuild message as a diagnostic in `input` (esbuild counts columns in UTF-8 bytes, lines the JavaScript way). */
export function toDiagnostic(message: Message, input: string): Diagnostic {
  const location = message.location;
  return {
    message: message.text,
    position: location
      ? fromJsLines(input, { line: location.line, column: utf16Column(location.lineText, location.column) })
      : undefined,
    hint: message.notes[0]?.text,
  };
}

/**
 * Offset just after the import declarations a module starts with (0 when it starts with none).
 * Reads tokens, not a tree: the text is TypeScript, which acorn cannot parse but can tokenize this
 * far. Stops, conservatively, at anything that is not plainly an import declaration.
 */
export function leadingImportsEnd(code: string): number {
  let end = 0;
  try {
    const tokens = tokenizer(code, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true });
    let token = tokens.getToken();
    while (token.type === tokTypes._import) {
      const declarationEnd = importDeclarationEnd(tokens);
      if (declarationEnd === undefined) break;
      end = declarationEnd.end;
      token = declarationEnd.next;
    }
  } catch {
    // Tokenizing stopped on TypeScript syntax: the imports found so far stand.
  }
  return end;
}

interface Tokens {
  getToken(): Token;
}

const CLAUSE_TOKENS = new Set([tokTypes.name, tokTypes.braceL, tokTypes.braceR, tokTypes.comma, tokTypes.star]);

function importDeclarationEnd(tokens: Tokens): { end: number; next: Token } | undefined {
  let token = tokens.getToken();
  if (token.type === tokTypes.parenL || token.type === tokTypes.dot) return undefined;
  while (token.type !== tokTypes.string) {
    if (!CLAUSE_TOKENS.has(token.type)) return undefined;
    token = tokens.getToken();
  }
  let end = token.end;
  token = tokens.getToken();
  if (
    token.type === tokTypes._with ||
    (token.type === tokTypes.name && (token as { value?: unknown }).value === "assert")
  ) {
    token = tokens.getToken();
    if (token.type !== tokTypes.braceL) return undefined;
    while (token.type !== tokTypes.braceR) {
      if (token.type === tokTypes.eof) return undefined;
      token = tokens.getToken();
    }
    end = token.end;
    token = tokens.getToken();
  }
  if (token.type === tokTypes.semi) {
    end = token.end;
    token = tokens.getToken();
  }
  return { end, next: token };
}
