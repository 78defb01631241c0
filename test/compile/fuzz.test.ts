/**
 * Property-based fuzzing of the whole compile pipeline with fast-check. Whatever text arrives,
 * `compileUnit` answers with data and never throws; every diagnostic points inside the submitted
 * text; the id depends on the input alone; a compiled unit parses as an ES module and traces back
 * into the input; and the shape of a valid snippet does not depend on its layout.
 *
 * Inputs are (a) arbitrary text: any code point, lone surrogates, NUL, CR/LF mixes, syntax
 * characters and keywords; (b) the valid snippets of SEEDS (every shape, JavaScript and
 * TypeScript, fenced or not), mutated character- and token-wise; (c) valid programs built by a
 * small generator, which knows the shape each one must get.
 *
 * CI (`npm test`) runs a fixed number of cases per property from the fixed seed FIXED_SEED, so
 * every run checks the same inputs (about 25 s on a 2-core machine). A failure prints fast-check's
 * seed, path and shrunk counterexample. Longer runs, on demand:
 *
 *   npm run fuzz                                                   20,000 cases per property, new seed
 *   FUZZ_RUNS=5000 npx vitest run --project unit test/compile/fuzz.test.ts      N cases per property
 *   FUZZ_SEED=42 FUZZ_RUNS=5000 npx vitest run --project unit test/compile/fuzz.test.ts   replay a seed
 *
 * With FUZZ_RUNS and no FUZZ_SEED the seed is drawn at random and printed before the run.
 * Bugs found and not fixed yet are pinned in KNOWN_FAILURES, asserting what happens today; fixed
 * ones stay as REGRESSIONS.
 */

import { parse as parseModule, type Token, tokenizer, tokTypes } from "acorn";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CompileResult, Compiler, compileUnit } from "../../src/compile";
import type { Position } from "../../src/compile/diagnostic";
import { normalizeLineEndings } from "../../src/compile/fence";
import type { CompileInput, Language } from "../../src/compile/input";
import type { ShapeKind } from "../../src/compile/shape";

/** What an arbitrary generates. */
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

const FIXED_SEED = 20_261_121;
const LONG_RUNS = Number(process.env.FUZZ_RUNS ?? "") || undefined;
const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : LONG_RUNS
    ? Math.floor(Math.random() * 2 ** 31)
    : FIXED_SEED;
if (LONG_RUNS) console.log(`fuzzing with FUZZ_SEED=${SEED}, ${LONG_RUNS} cases per property`);

/** fast-check parameters: `ciRuns` cases in CI, FUZZ_RUNS when set. */
function runs(ciRuns: number): { seed: number; numRuns: number } {
  return { seed: SEED, numRuns: LONG_RUNS ?? ciRuns };
}

/** Per-test timeout: generous for long runs (a case costs a few ms of esbuild at most). */
function timeout(ciRuns: number): number {
  return 30_000 + (LONG_RUNS ?? ciRuns) * 25;
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

const MODULE_OPTIONS = { ecmaVersion: "latest", sourceType: "module" } as const;
/** How the parse stage reads snippets. */
const PARSE_OPTIONS = {
  ...MODULE_OPTIONS,
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
} as const;

/** The lines of the submitted text as positions count them: line endings normalised to `\n`. */
function linesOf(code: string): string[] {
  return normalizeLineEndings(code).split("\n");
}

function outside(lines: readonly string[], position: Position): string | undefined {
  const { line, column } = position;
  const text = lines[line - 1];
  if (!Number.isInteger(line) || !Number.isInteger(column) || text === undefined || line < 1) {
    return `line ${line} of ${lines.length}`;
  }
  if (column < 0 || column > text.length) return `column ${column} of a ${text.length}-character line ${line}`;
  return undefined;
}

/** One broken invariant. */
interface Problem {
  type:
    | "throws"
    | "no-diagnostic"
    | "no-position"
    | "diagnostic-outside"
    | "unparsable-unit"
    | "trace-outside"
    | "rejected"
    | "wrong-shape";
  text: string;
  position?: Position;
  /** The compiled unit's code, for a unit that does not parse. */
  unit?: string;
}

/**
 * Every invariant one compile must keep, as the list of those it breaks (empty when all hold), so
 * that the properties and KNOWN_FAILURES check exactly the same things. With `kind`, the input is
 * valid and must compile to that shape.
 */
async function problemsOf(input: CompileInput, kind?: ShapeKind): Promise<Problem[]> {
  let result: CompileResult;
  try {
    result = await compileUnit("fuzz", input);
  } catch (error) {
    return [{ type: "throws", text: `compileUnit threw ${String(error)}` }];
  }
  const lines = linesOf(input.code);
  const problems: Problem[] = [];
  if (!result.ok) {
    if (kind) {
      const messages = result.diagnostics.map((diagnostic) => diagnostic.message).join("; ");
      problems.push({ type: "rejected", text: `valid ${kind} code was rejected: ${messages}` });
    }
    if (result.diagnostics.length === 0) problems.push({ type: "no-diagnostic", text: "failed without a diagnostic" });
    for (const { message, position } of result.diagnostics) {
      const where = position && outside(lines, position);
      if (!position) problems.push({ type: "no-position", text: `diagnostic "${message}" has no position` });
      else if (where)
        problems.push({ type: "diagnostic-outside", text: `diagnostic "${message}" at ${where}`, position });
    }
    return problems;
  }

  const unit = result.unit;
  if (kind && unit.kind !== kind) {
    problems.push({ type: "wrong-shape", text: `compiled as ${unit.kind}, built as ${kind}` });
  }
  try {
    parseModule(unit.code, MODULE_OPTIONS);
  } catch (error) {
    const text = `the unit does not parse as a module: ${String(error)}`;
    return [...problems, { type: "unparsable-unit", text, unit: unit.code }];
  }
  for (const token of tokenizer(unit.code, { ...MODULE_OPTIONS, locations: true })) {
    const start = token.loc?.start;
    if (token.type !== tokTypes.name || !start) continue;
    let traced: Position | undefined;
    try {
      traced = unit.trace.toSource({ line: start.line, column: start.column });
    } catch (error) {
      problems.push({ type: "throws", text: `tracing ${start.line}:${start.column} threw ${String(error)}` });
      break;
    }
    const where = traced && outside(lines, traced);
    if (traced && where) {
      const text = `${nameOf(token)} at ${start.line}:${start.column} traced to ${where}`;
      problems.push({ type: "trace-outside", text, position: traced });
    }
  }
  return problems;
}

function nameOf(token: Token): string {
  return String((token as { value?: unknown }).value);
}

/** JSON with every character outside printable ASCII escaped, so a counterexample reads unambiguously. */
function show(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Fails on every problem of `input` that no KNOWN_FAILURES entry accounts for. */
async function expectInvariants(input: CompileInput, kind?: ShapeKind): Promise<void> {
  const problems = await problemsOf(input, kind);
  const unknown = problems.filter((problem) => !KNOWN_FAILURES.some((known) => known.covers(input, problem)));
  expect(
    unknown.map((problem) => problem.text),
    show(input),
  ).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// (a) Arbitrary text
// ---------------------------------------------------------------------------------------------

const SPECIAL = [
  "\0",
  "\r",
  "\n",
  "\r\n",
  "\n\r",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\ufffd",
  "\t",
  " ",
  "\\",
  "`",
  "```",
  "~~~",
  "${",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  "/*",
  "*/",
  "//",
  "/",
  "'",
  '"',
  "<",
  ">",
  ";",
  ":",
  ",",
  ".",
  "=>",
  "#!",
  "#",
  "@",
  "?.",
  "!",
];
const KEYWORDS = [
  "return",
  "await",
  "async",
  "export",
  "default",
  "import",
  '"functions.do"',
  "import(",
  "function",
  "class",
  "const",
  "let",
  "var",
  "yield",
  "enum",
  "interface",
  "type",
  "as",
  "satisfies",
  "namespace",
  "declare",
  "x",
  "args",
  "$",
  "$fx",
  "__fx_body",
  "1",
  "0x1n",
  "=",
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
/** Any code point, lone surrogates included (fast-check's "binary" unit leaves those out). */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point));
const textUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: anyCodePoint },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 3, arbitrary: fc.constantFrom(...KEYWORDS).map((word) => ` ${word} `) },
);
const arbitraryText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: textUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }) },
);
const language = fc.constantFrom<Language>("typescript", "javascript");
const textInput = fc.record({ code: arbitraryText, language });

// ---------------------------------------------------------------------------------------------
// (b) Seeds and their mutations
// ---------------------------------------------------------------------------------------------

interface Seed {
  code: string;
  language: Language;
  kind: ShapeKind;
  /** Markdown around the code: `before` ends with the opening fence line, `after` starts with a line break. */
  fence?: { before: string; after: string };
}

const SEEDS: readonly Seed[] = [
  { kind: "statements", language: "javascript", code: "return 2 + 2" },
  { kind: "statements", language: "javascript", code: "const r = await Promise.resolve({ x: 1 });\nreturn r.x" },
  {
    kind: "statements",
    language: "javascript",
    code: "let total = 0;\nfor (const item of args.items) {\n  total += item.price * item.qty;\n}\nreturn total;",
  },
  { kind: "statements", language: "javascript", code: "while (args.n-- > 0) await null;\nconst done = true;" },
  { kind: "statements", language: "javascript", code: `#!/usr/bin/env node\nreturn \`\${args.a}\` + '\\u{1F600}'` },
  {
    kind: "statements",
    language: "typescript",
    code: 'type User = { id: number; name: string };\nconst users: User[] = await Promise.resolve([{ id: 1, name: "ada" }]);\nif (users.length === 0) return null;\nreturn users.map((u) => u.name);',
  },
  { kind: "statements", language: "typescript", code: "enum Color { Red, Green }\nreturn Color.Green" },
  {
    kind: "statements",
    language: "typescript",
    code: "declare const seen: number;\nlet later!: string;\nreturn typeof seen",
  },
  {
    kind: "statements",
    language: "typescript",
    code: 'import type { Runtime } from "functions.do";\nconst r: Runtime | null = null;\nreturn r',
  },
  { kind: "statements", language: "javascript", code: 'import { $ } from "functions.do";\nreturn typeof $' },
  { kind: "statements", language: "javascript", code: 'import * as fd from "functions.do";\nreturn typeof fd.$' },
  { kind: "statements", language: "javascript", code: 'export * from "functions.do";\nreturn 1' },
  { kind: "expression", language: "javascript", code: 'const m = await import("functions.do");\ntypeof m.$' },
  { kind: "expression", language: "javascript", code: "2 + 2" },
  { kind: "expression", language: "javascript", code: "const a = 1; a + 1" },
  { kind: "expression", language: "javascript", code: "await $.kv.get('x')" },
  { kind: "expression", language: "javascript", code: `\`a\${\`b\${1}\`}\` + /re[/]/g.source` },
  {
    kind: "expression",
    language: "typescript",
    code: `const greeting: string = "hello";\nconst names = ["ada", "grace"];\nnames.map((name) => \`\${greeting} \${name}\`)`,
  },
  {
    kind: "expression",
    language: "typescript",
    code: "class Box<T> {\n  constructor(private value: T) {}\n  get(): T { return this.value; }\n}\nnew Box<number>(3).get()",
  },
  { kind: "expression", language: "typescript", code: "const x = args as { n: number };\nx.n satisfies number" },
  { kind: "expression", language: "typescript", code: "namespace NS { export const a = 1 }\nNS.a" },
  { kind: "function", language: "javascript", code: "async (args) => args.x * 2" },
  { kind: "function", language: "javascript", code: "(function (args) { return args; })" },
  { kind: "function", language: "javascript", code: "const k = 2; (args) => { for (;;) return args * k }" },
  {
    kind: "function",
    language: "typescript",
    code: "async (args: { x: number }) => {\n  await null;\n  return args.x * 2;\n}",
  },
  { kind: "function", language: "typescript", code: "<T,>(value: T): T[] => [value]" },
  {
    kind: "declaration",
    language: "javascript",
    code: "function fib(n) {\n  return n < 2 ? n : fib(n - 1) + fib(n - 2);\n}\n\nfunction main(args) {\n  return fib(args.n);\n}",
  },
  { kind: "declaration", language: "javascript", code: "async function run() { return 1 }" },
  {
    kind: "declaration",
    language: "typescript",
    code: "function first<T>(items: T[]): T | undefined {\n  return items[0];\n}",
  },
  {
    kind: "declaration",
    language: "typescript",
    code: "export function double(n: number): number {\n  return n * 2;\n}",
  },
  { kind: "module", language: "javascript", code: "export default 42" },
  {
    kind: "module",
    language: "javascript",
    code: "const helper = (x) => x + 1;\nexport default (args) => helper(args.n)",
  },
  { kind: "module", language: "javascript", code: "export const version = 1;\nexport default { version }" },
  {
    kind: "module",
    language: "javascript",
    code: 'import { $ } from "functions.do";\nexport default async () => $.ctx.tenant',
  },
  {
    kind: "module",
    language: "typescript",
    code: `interface Input { name: string }\n\nexport default async function greet(input: Input) {\n  return \`hi \${input.name}\`;\n}`,
  },
  { kind: "module", language: "typescript", code: "const value: number = 1;\nexport { value as default }" },
  {
    kind: "statements",
    language: "javascript",
    code: "const n: number = 1;\nreturn n",
    fence: { before: "Here you go:\n```ts\n", after: "\n```\nThat returns one." },
  },
  { kind: "expression", language: "javascript", code: "2 + 2", fence: { before: "```js\n", after: "\n```" } },
  { kind: "statements", language: "typescript", code: "return 1", fence: { before: "~~~\n", after: "\n~~~" } },
  { kind: "function", language: "javascript", code: "(a) => a", fence: { before: "Sure:\n\n```\n", after: "" } },
  {
    kind: "module",
    language: "typescript",
    code: "export default function (args: { n: number }) {\n  return args.n;\n}",
    fence: { before: "```typescript\n", after: "\n```\n\nCall it with { n }." },
  },
];

function seedText(seed: Seed, code = seed.code): string {
  return seed.fence ? `${seed.fence.before}${code}${seed.fence.after}` : code;
}

/** A fence a language model might put around code. */
const fenceArbitrary = fc.record({
  prose: fc.constantFrom("", "Here you go:\n", "Sure!\n\n", "  "),
  marker: fc.constantFrom("```", "````", "~~~"),
  info: fc.constantFrom("", "js", "ts", "typescript", "javascript", "tsx", "json", "py", "ts title=x"),
  closed: fc.boolean(),
  after: fc.constantFrom("", "\n", "\nThat's it.", "\n\n```\nmore\n```"),
});

type Mutation =
  | { type: "delete"; at: number; length: number }
  | { type: "insert"; at: number; text: string }
  | { type: "duplicate"; at: number; length: number }
  | { type: "swap"; at: number; other: number }
  | { type: "delete-token"; index: number }
  | { type: "duplicate-token"; index: number }
  | { type: "swap-tokens"; index: number; other: number }
  | { type: "truncate"; at: number }
  | { type: "fence"; fence: ValueOf<typeof fenceArbitrary> };

const insertion = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.constantFrom(...KEYWORDS),
  fc.constantFrom("{", "}", "(", ")", "`", "*/", "```"),
  anyCodePoint,
  loneSurrogate,
);
const at = fc.nat({ max: 10_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ type: fc.constant("delete" as const), at, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ type: fc.constant("insert" as const), at, text: insertion }),
  fc.record({ type: fc.constant("duplicate" as const), at, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ type: fc.constant("swap" as const), at, other: at }),
  fc.record({ type: fc.constant("delete-token" as const), index: at }),
  fc.record({ type: fc.constant("duplicate-token" as const), index: at }),
  fc.record({ type: fc.constant("swap-tokens" as const), index: at, other: at }),
  fc.record({ type: fc.constant("truncate" as const), at }),
  fc.record({ type: fc.constant("fence" as const), fence: fenceArbitrary }),
);

/** Words, numbers, runs of whitespace and single other characters: tokens enough to shuffle. */
function roughTokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}_$]+|\s+|./gsu) ?? [];
}

function mutate(text: string, change: Mutation): string {
  const offset = (value: number) => value % (text.length + 1);
  switch (change.type) {
    case "delete":
      return text.slice(0, offset(change.at)) + text.slice(offset(change.at) + change.length);
    case "insert":
      return text.slice(0, offset(change.at)) + change.text + text.slice(offset(change.at));
    case "duplicate": {
      const start = offset(change.at);
      return text.slice(0, start) + text.slice(start, start + change.length) + text.slice(start);
    }
    case "swap": {
      const chars = [...text];
      const a = change.at % Math.max(chars.length, 1);
      const b = change.other % Math.max(chars.length, 1);
      [chars[a], chars[b]] = [chars[b] ?? "", chars[a] ?? ""];
      return chars.join("");
    }
    case "delete-token":
    case "duplicate-token":
    case "swap-tokens": {
      const tokens = roughTokens(text);
      if (tokens.length === 0) return text;
      const i = change.index % tokens.length;
      if (change.type === "delete-token") tokens.splice(i, 1);
      else if (change.type === "duplicate-token") tokens.splice(i, 0, tokens[i] ?? "");
      else {
        const j = change.other % tokens.length;
        [tokens[i], tokens[j]] = [tokens[j] ?? "", tokens[i] ?? ""];
      }
      return tokens.join("");
    }
    case "truncate":
      return text.slice(0, offset(change.at));
    case "fence": {
      const { prose, marker, info, closed, after } = change.fence;
      return `${prose}${marker}${info}\n${text}${closed ? `\n${marker}` : ""}${after}`;
    }
  }
}

const seedArbitrary = fc.constantFrom(...SEEDS);
const mutatedInput = fc
  .record({ seed: seedArbitrary, changes: fc.array(mutation, { minLength: 1, maxLength: 4 }), language })
  .map(({ seed, changes, language: asked }) => ({
    code: changes.reduce(mutate, seedText(seed)),
    // Mostly the seed's own language; sometimes the other, which must not matter to the invariants.
    language: changes.length === 4 ? asked : seed.language,
  }));

// ---------------------------------------------------------------------------------------------
// (c) Generated valid programs
// ---------------------------------------------------------------------------------------------

/** A generated program and the shape it was built as. */
interface Generated {
  code: string;
  language: Language;
  kind: ShapeKind;
}

/** Marks a declared name; numbered in order once the program is built, so every name is unique. */
const FRESH = "\u0001";
/** The name the last FRESH declared. */
const SAME = "\u0002";
const NAMES = ["args", "$", "console", "Math", "JSON", "undefined"];

function numberNames(code: string): string {
  return code
    .split(FRESH)
    .map((part, index) => (index === 0 ? part : `v${index - 1}${part.replaceAll(SAME, `v${index - 1}`)}`))
    .join("");
}

const literal = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e6 }).map(String),
  fc.string({ maxLength: 8 }).map((text) => JSON.stringify(text)),
  fc.string({ maxLength: 6, unit: "grapheme" }).map((text) => `'${text.replace(/[\\'\n\r\u2028\u2029]/g, "")}'`),
  fc.constantFrom("null", "true", "false", "1n", "0x10", "[]", "({})", "/a+b/u"),
);
const name = fc.constantFrom(...NAMES);

/** Expressions that may `await` (`awaits`) or not; never a bare function at the top. */
function expressions(awaits: boolean): fc.Memo<string> {
  const memo: fc.Memo<string> = fc.memo((depth) => {
    if (depth <= 1) return fc.oneof(literal, name);
    const sub = memo(depth - 1);
    const options: fc.Arbitrary<string>[] = [
      literal,
      name,
      fc
        .tuple(sub, fc.constantFrom("+", "-", "*", "===", "!==", "&&", "||", "??", "<", ">=", "in"), sub)
        .map(([left, op, right]) => `(${left} ${op} ${right})`),
      fc
        .tuple(name, fc.constantFrom("x", "length", "kv", "n"), fc.array(sub, { maxLength: 3 }))
        .map(([object, property, list]) => `${object}?.${property}(${list.join(", ")})`),
      fc.array(sub, { maxLength: 3 }).map((list) => `[${list.join(", ")}]`),
      fc.tuple(sub, sub).map(([key, value]) => `({ k: ${key}, [${key}]: ${value} })`),
      fc.tuple(sub, sub, sub).map(([test, yes, no]) => `(${test} ? ${yes} : ${no})`),
      sub.map((inner) => `\`t\${${inner}}\``),
      fc.tuple(expressions(false)(depth - 1)).map(([body]) => `[(x) => ${body}][0]`),
      fc.tuple(expressions(true)(depth - 1)).map(([body]) => `[async (x) => ${body}][0]`),
    ];
    if (awaits) options.push(sub.map((inner) => `(await ${inner})`));
    return fc.oneof(...options);
  });
  return memo;
}

/** Statements: declarations get fresh names, blocks nest. */
function statements(awaits: boolean, depth: number): fc.Arbitrary<string[]> {
  const expression = expressions(awaits)(3);
  const simple = fc.oneof(
    expression.map((value) => `const ${FRESH} = ${value};`),
    expression.map((value) => `let ${FRESH} = ${value};`),
    expression.map((value) => `console.log(${value});`),
    fc.constant(";"),
  );
  if (depth <= 0) return fc.array(simple, { maxLength: 3 });
  const block = statements(awaits, depth - 1).map((list) => `{\n${list.join("\n")}\n}`);
  const compound = fc.oneof(
    fc.tuple(expression, block, block).map(([test, yes, no]) => `if (${test}) ${yes} else ${no}`),
    block.map((body) => `for (let ${FRESH} = 0; ${SAME} < 3; ${SAME}++) ${body}`),
    fc.tuple(expression, block).map(([list, body]) => `for (const ${FRESH} of [${list}]) ${body}`),
    block.map((body) => `while (false) ${body}`),
    fc.tuple(block, block).map(([body, handler]) => `try ${body} catch (${FRESH}) ${handler} finally {}`),
    fc.tuple(expression, block).map(([value, body]) => `switch (${value}) { case 1: ${body} default: break; }`),
    block.map((body) => `${FRESH}: ${body}`),
  );
  return fc.array(fc.oneof({ weight: 3, arbitrary: simple }, { weight: 1, arbitrary: compound }), { maxLength: 4 });
}

const functionBody = fc
  .tuple(statements(true, 1), expressions(true)(3))
  .map(([body, value]) => `{\n${[...body, `return ${value};`].join("\n")}\n}`);
const params = fc.constantFrom("", "args", "args, more", "{ x, y = 1 }", "...rest", "[a0, b0]");
const functionExpression = fc.oneof(
  fc.tuple(params, expressions(false)(3)).map(([list, body]) => `(${list}) => ${body}`),
  fc.tuple(params, functionBody).map(([list, body]) => `async (${list}) => ${body}`),
  fc.tuple(params, functionBody).map(([list, body]) => `(async function (${list}) ${body})`),
  fc.tuple(params, expressions(false)(2)).map(([list, value]) => `(function (${list}) { return ${value}; })`),
);
const functionDeclaration = fc
  .tuple(fc.constantFrom("", "export "), fc.constantFrom("main", "f", "helper"), params, functionBody)
  .map(([exported, base, list, body]) => `${exported}async function ${base}${FRESH}(${list}) ${body}`);

/** TypeScript that disappears when types are stripped. */
const typeOnly = fc.constantFrom(
  `interface I${FRESH} { a: string; b?: number[] }`,
  `type T${FRESH}<K> = { [key: string]: K } | null;`,
  `declare const d${FRESH}: Map<string, number>;`,
);
/** TypeScript that stays as code. */
const typedCode = fc.oneof(
  typeOnly,
  fc.constantFrom(`enum E${FRESH} { A, B = 3 }`, `const ${FRESH}: Array<number> = [1] as number[];`),
  expressions(true)(2).map((value) => `let ${FRESH}: unknown = ${value} as unknown;`),
);

/** Sometimes an import, which makes the pipeline bundle (the slowest path). */
const imports = fc.oneof(
  { weight: 5, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.constant('import { $ as r0 } from "functions.do";\n') },
);
const topLevel = statements(true, 2);

const generatedProgram: fc.Arbitrary<Generated> = fc
  .tuple(
    fc.constantFrom<ShapeKind>("statements", "expression", "function", "declaration", "module"),
    fc.constantFrom<Language>("javascript", "typescript"),
    imports,
    topLevel,
    fc.array(typedCode, { maxLength: 2 }),
    fc.array(typeOnly, { maxLength: 2 }),
    expressions(true)(3),
    functionExpression,
    fc.array(functionDeclaration, { minLength: 1, maxLength: 3 }),
  )
  .map(([kind, lang, head, body, typed, types, value, fn, declarations]) => {
    const ts = lang === "typescript" ? (kind === "declaration" ? types : typed) : [];
    const parts: string[] = [...ts];
    if (kind === "statements") parts.push(...body, `return ${value};`);
    else if (kind === "expression") parts.push(...body, `${value}`);
    else if (kind === "function") parts.push(...body, fn);
    else if (kind === "declaration") parts.push(...declarations);
    else parts.push(...body, `export default ${fn};`);
    return { kind, language: lang, code: numberNames(head + parts.join("\n")) };
  });

// ---------------------------------------------------------------------------------------------
// Whitespace-only changes
// ---------------------------------------------------------------------------------------------

const SPACES = [" ", "  ", "\t", "\v", "\f", "\u00a0", "\ufeff", "\u3000"];
const BREAKS = ["\n", "\r\n", "\r", "\n\n", "\u2028", " \n\t"];
const TEMPLATE_TOKENS = new Set([
  tokTypes.template,
  tokTypes.invalidTemplate,
  tokTypes.backQuote,
  tokTypes.dollarBraceL,
]);

/**
 * The tokens of `code` that are certain. acorn's parser knows where a `/` starts a regular
 * expression; its bare tokenizer can guess wrong (after `await`, say), so it is used only for code
 * without a `/`. Parsing stops at the first piece of TypeScript: the tokens before it are certain.
 */
function certainTokens(code: string): Token[] {
  const tokens: Token[] = [];
  try {
    if (code.includes("/")) parseModule(code, { ...PARSE_OPTIONS, onToken: tokens });
    else for (const token of tokenizer(code, PARSE_OPTIONS)) tokens.push(token);
  } catch {
    // TypeScript, which acorn does not read: the tokens so far stand.
  }
  return tokens;
}

/** Offsets between two tokens, with whether a line break must stay there (ASI depends on it). */
function gapsOf(code: string): { start: number; end: number; breaks: boolean }[] {
  const gaps: { start: number; end: number; breaks: boolean }[] = [];
  const tokens = certainTokens(code);
  tokens.forEach((token, index) => {
    const previous = tokens[index - 1];
    if (!previous || TEMPLATE_TOKENS.has(previous.type) || TEMPLATE_TOKENS.has(token.type)) return;
    const between = code.slice(previous.end, token.start);
    // Comments stay as they are.
    if (/^\s*$/.test(between)) {
      gaps.push({ start: previous.end, end: token.start, breaks: /[\n\r\u2028\u2029]/.test(between) });
    }
  });
  return gaps;
}

const layout = fc.record({
  choices: fc.array(
    fc.record({ gap: fc.nat(), spaces: fc.constantFrom(...SPACES), breaks: fc.constantFrom(...BREAKS) }),
    {
      minLength: 1,
      maxLength: 8,
    },
  ),
  leading: fc.constantFrom("", "\n", "\n\n  ", "\r\n"),
  trailing: fc.constantFrom("", "\n", "  \n\n", "\r\n\t"),
});

/** Re-lays out `code`: whitespace between tokens changes, line breaks stay where they were. */
function relayout(code: string, change: ValueOf<typeof layout>): string {
  const gaps = gapsOf(code);
  const replaced = new Map<number, string>();
  for (const choice of change.choices) {
    const gap = gaps[choice.gap % Math.max(gaps.length, 1)];
    if (gap) replaced.set(gap.start, gap.breaks ? choice.breaks : choice.spaces);
  }
  let out = "";
  let cursor = 0;
  for (const gap of gaps) {
    const text = replaced.get(gap.start);
    if (text === undefined) continue;
    out += code.slice(cursor, gap.start) + text;
    cursor = gap.end;
  }
  out += code.slice(cursor);
  const leading = code.startsWith("#!") ? "" : change.leading;
  return leading + out + change.trailing;
}

// ---------------------------------------------------------------------------------------------
// Known failures
// ---------------------------------------------------------------------------------------------

/** A bug the fuzzer found that is not fixed yet. */
interface KnownFailure {
  name: string;
  /** The smallest input that shows it. */
  input: CompileInput;
  /** The shape `input` is, when it is valid code. */
  kind?: ShapeKind;
  /** What `problemsOf(input, kind)` reports today. */
  problems: string[];
  /** Whether `problem`, found on `input`, is this bug: the properties let these (and only these) pass. */
  covers(input: CompileInput, problem: Problem): boolean;
}

/**
 * Bugs the fuzzer found that are not fixed yet, each with its minimal input and the invariants it
 * breaks today. The test at the end asserts exactly those problems, so it fails once a bug is
 * fixed: then move the entry to REGRESSIONS, and the properties check that input class again.
 */
const KNOWN_FAILURES: readonly KnownFailure[] = [];

/** Bugs the fuzzer found and that were fixed: each minimal input must now keep every invariant. */
const REGRESSIONS: readonly { name: string; input: CompileInput; kind?: ShapeKind }[] = [
  {
    name: "a hashbang line (the wrapper used to move it off line 1)",
    input: { code: "#!x\nreturn 1", language: "javascript" },
    kind: "statements",
  },
  {
    name: "a parenthesised export default",
    input: { code: "export default (1)", language: "javascript" },
    kind: "module",
  },
  {
    name: "a parenthesised export default that is bundled",
    input: { code: 'import { $ } from "functions.do";\nexport default (1)', language: "javascript" },
    kind: "module",
  },
  {
    name: "a TypeScript error after non-ASCII text (esbuild counts bytes)",
    input: { code: "'é'+", language: "typescript" },
  },
  {
    name: "an import of a name the provided module does not export (a bundling error used to throw)",
    input: { code: 'import { x } from "functions.do"', language: "javascript" },
  },
  {
    name: "an assignment to a constant in code that imports (a bundling error used to throw)",
    input: { code: 'import "functions.do";\nconst a = 1;\na = 2', language: "javascript" },
  },
  {
    name: "U+2028 in code (it is not a line break of the submitted text)",
    input: { code: "x\u2028y z", language: "javascript" },
  },
  {
    name: "a TypeScript snippet ending in an expression esbuild drops (`-1`)",
    input: { code: "let a: number = 1;\n-1", language: "typescript" },
    kind: "expression",
  },
];

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/**
 * The id `compiler` gives `input`, or `undefined` when compiling it throws for a known bug (the
 * id cannot be read then; that it throws is the known failure's business).
 */
async function idOf(compiler: Compiler, input: CompileInput): Promise<string | undefined> {
  try {
    const result = await compiler.compile(input, "none");
    return result.ok ? result.unit.id : result.id;
  } catch (error) {
    const problem: Problem = { type: "throws", text: `compileUnit threw ${String(error)}` };
    if (KNOWN_FAILURES.some((known) => known.covers(input, problem))) return undefined;
    throw error;
  }
}

const newCompiler = () => new Compiler({ cacheBytes: 1 << 20, build: "fuzz" });

describe("the compile pipeline, fuzzed", () => {
  it("compiles every seed to the shape it stands for", async () => {
    for (const seed of SEEDS) {
      await expectInvariants({ code: seedText(seed), language: seed.language }, seed.kind);
    }
  });

  it(
    "never throws and locates every diagnostic inside arbitrary text",
    async () => {
      await fc.assert(
        fc.asyncProperty(textInput, (input) => expectInvariants(input)),
        runs(4000),
      );
    },
    timeout(4000),
  );

  it(
    "never throws and keeps every invariant on mutated valid programs",
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedInput, (input) => expectInvariants(input)),
        runs(5000),
      );
    },
    timeout(5000),
  );

  it(
    "compiles every generated valid program to the shape it was built as",
    async () => {
      await fc.assert(
        fc.asyncProperty(generatedProgram, async (program) => {
          await expectInvariants({ code: program.code, language: program.language }, program.kind);
        }),
        runs(1500),
      );
    },
    timeout(1500),
  );

  it(
    "decides the same shape whatever the whitespace between tokens",
    async () => {
      const valid = fc.oneof(
        seedArbitrary.map((seed) => ({ ...seed, wrap: (code: string) => seedText(seed, code) })),
        generatedProgram.map((program) => ({ ...program, wrap: (code: string) => code })),
      );
      await fc.assert(
        fc.asyncProperty(valid, layout, async (program, change) => {
          const code = program.wrap(relayout(program.code, change));
          await expectInvariants({ code, language: program.language }, program.kind);
        }),
        runs(1500),
      );
    },
    timeout(1500),
  );

  it(
    "gives the same input the same id in separate compilers",
    async () => {
      const input = fc.oneof(textInput, mutatedInput);
      await fc.assert(
        fc.asyncProperty(input, async (item) => {
          const first = newCompiler();
          const id = await idOf(first, item);
          fc.pre(id !== undefined);
          expect(id).toMatch(/^[0-9a-f]{64}$/);
          expect(await idOf(newCompiler(), item)).toBe(id);
          const again = await first.compile(item, "none");
          expect([again.ok ? again.unit.id : again.id, again.cached]).toEqual([id, true]);
        }),
        runs(800),
      );
    },
    timeout(800),
  );

  it(
    "gives different code different ids, even a lone surrogate and U+FFFD",
    async () => {
      const compiler = newCompiler();
      const pairs = fc.oneof(
        fc.tuple(arbitraryText, arbitraryText).filter(([a, b]) => a !== b),
        fc.tuple(arbitraryText, fc.nat(), loneSurrogate).map(([text, index, surrogate]): [string, string] => {
          const cut = index % (text.length + 1);
          return [text.slice(0, cut) + surrogate + text.slice(cut), `${text.slice(0, cut)}\ufffd${text.slice(cut)}`];
        }),
      );
      await fc.assert(
        fc.asyncProperty(pairs, language, async ([a, b], lang) => {
          const first = await idOf(compiler, { code: a, language: lang });
          const second = await idOf(compiler, { code: b, language: lang });
          fc.pre(first !== undefined && second !== undefined);
          expect(first).not.toBe(second);
        }),
        runs(800),
      );
    },
    timeout(800),
  );

  it.each(KNOWN_FAILURES)("still has a known bug: $name", async ({ input, kind, problems }) => {
    expect((await problemsOf(input, kind)).map((problem) => problem.text)).toEqual(problems);
  });

  it.each(REGRESSIONS)("keeps every invariant on $name", async ({ input, kind }) => {
    await expectInvariants(input, kind);
  });
});
