/**
 * Names the compiler adds to generated code. A name no identifier of the program uses cannot be
 * referred to by it (there is no `eval` or `with` in the sandbox, and identifiers are compared after
 * unicode escapes are decoded), so user code can neither read nor reset the fuel counter nor reach
 * the runtime handle.
 */

import type { Node, Program } from "acorn";
import { full } from "acorn-walk";

/** The names one compiled unit uses, all sharing a prefix that no identifier in the program has. */
export interface GeneratedNames {
  runtime: string;
  tick: string;
  fuel: string;
  result: string;
  mode: string;
}

export function generatedNames(code: string, program: Program): GeneratedNames {
  const prefix = freshName(code, "$fx", identifierNames(program));
  return {
    runtime: `${prefix}_rt`,
    tick: `${prefix}_tick`,
    fuel: `${prefix}_fuel`,
    result: `${prefix}_default`,
    mode: `${prefix}_mode`,
  };
}

/**
 * `base`, or `base<n>` with `n` longer than any run of digits that follows `base` anywhere in the
 * text or in an identifier: then nothing in the program can start with the name. One pass,
 * whatever the input (picking the smallest free suffix instead would be quadratic).
 */
export function freshName(code: string, base: string, identifiers: Iterable<string> = []): string {
  let longest = -1;
  const digits = /\d*/y;
  for (const text of [code, ...identifiers]) {
    for (let index = text.indexOf(base); index !== -1; index = text.indexOf(base, index + 1)) {
      digits.lastIndex = index + base.length;
      longest = Math.max(longest, digits.exec(text)?.[0].length ?? 0);
    }
  }
  return longest < 0 ? base : `${base}1${"0".repeat(longest)}`;
}

function identifierNames(program: Program): Set<string> {
  const names = new Set<string>();
  full(program, (node: Node) => {
    if (node.type === "Identifier" || node.type === "PrivateIdentifier") {
      names.add((node as Node & { name: string }).name);
    }
  });
  return names;
}
