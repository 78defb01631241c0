/**
 * One-line hints for errors, written for people and for language models: each says what to
 * change. Chosen from the error's kind, name and message; every syntax error gets one.
 */

import { DEFAULT_LIMITS } from "../shared/limits";
import type { ErrorKind } from "../shared/protocol";

type Rule = [RegExp, (match: RegExpExecArray) => string];

const SYNTAX_RULES: Rule[] = [
  [/^Unterminated/, () => "Close the string, comment or template that starts here."],
  [/^Expected "(.+)" but found/, (m) => `Insert the missing ${m[1]} here, or remove the token that comes before it.`],
  [
    /^Unexpected (token|".*")$|^Unexpected end of (input|file)$/,
    () => "Check for a missing or extra bracket, comma or operator just before this point.",
  ],
  [/reserved/, () => "Rename it: this word is reserved in JavaScript."],
  [
    /has already been declared/,
    () => "Use another name, or assign to the existing variable instead of declaring it again.",
  ],
  [/await/i, () => "Mark the enclosing function async, or await at the top level of the snippet."],
  [
    /^Unexpected character/,
    () => "Remove the character, or wrap prose in comments: only the code should be sent (a Markdown fence is fine).",
  ],
  [/^Cannot find module/, () => "Import only the modules the service provides, or write the code inline."],
];

const RUNTIME_RULES: Rule[] = [
  [
    /^(\S+) is not defined$/,
    (m) => `\`${m[1]}\` is not defined here: declare it, or read it from args ($ and args are in scope).`,
  ],
  [
    /^Cannot read properties of (undefined|null) \(reading '(.+)'\)$/,
    (m) => `A value is ${m[1]} here: check it before reading .${m[2]} (value?.${m[2]}).`,
  ],
  [
    /^(?:Cannot set properties of )(undefined|null)/,
    (m) => `A value is ${m[1]} here: create the object before setting properties on it.`,
  ],
  [/ is not a function$/, () => "The value called here is not a function: check the name and what it holds."],
  [
    /not permitted to access the internet/,
    () => 'fetch is blocked by default: send network: {"allow": ["host"]} with the request, or use $.fetch.',
  ],
  [/is not in this run's network\.allow list/, () => "Add the exact host name to network.allow in the request."],
  [/loopback, private or link-local/, () => "Only public hosts can be reached; use the service's public address."],
  [
    /is not available on the "(.+)" tier/,
    (m) => `The "${m[1]}" tier does not include this call; use a key of a tier that does.`,
  ],
  [
    /Code generation from strings disallowed/,
    () => "eval and new Function are not available: write the code directly.",
  ],
];

export function syntaxHint(message: string): string {
  return (
    firstHint(SYNTAX_RULES, message) ??
    "Fix the syntax here: the code must be TypeScript or JavaScript (top-level return and await are allowed)."
  );
}

export function runtimeHint(kind: Exclude<ErrorKind, "syntax">, name: string, message: string): string | undefined {
  if (kind === "timeout") {
    if (message.includes("without yielding"))
      return "Split long synchronous work into chunks with `await scheduler.wait(0)` between them.";
    return `Look for a loop that never ends or an await that never settles, or raise timeoutMs (at most ${DEFAULT_LIMITS.maxTimeoutMs}).`;
  }
  if (kind === "resource") {
    if (message.startsWith("Memory limit")) return "Allocate less: process the data in smaller pieces.";
    if (message.startsWith("Log output")) return "Log less: return the data instead of printing it.";
    if (message.startsWith("The result")) return "Return less: filter, aggregate or page the data before returning it.";
    if (message.includes("call stack")) return "The recursion never ends: add a base case, or use a loop.";
    return "Use less memory or output.";
  }
  return firstHint(RUNTIME_RULES, message) ?? (name === "SyntaxError" ? syntaxHint(message) : undefined);
}

function firstHint(rules: Rule[], message: string): string | undefined {
  for (const [pattern, hint] of rules) {
    const match = pattern.exec(message);
    if (match) return hint(match);
  }
  return undefined;
}
