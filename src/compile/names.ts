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
  const identifiers = identifierNames(program);
  const prefix = freshName(code, "$fx", (candidate) => [...identifiers].some((name) => name.startsWith(candidate)));
  return {
    runtime: `${prefix}_rt`,
    tick: `${prefix}_tick`,
    fuel: `${prefix}_fuel`,
    result: `${prefix}_default`,
    mode: `${prefix}_mode`,
  };
}

/** `base`, or `base` with the smallest numeric suffix, that occurs nowhere in `code`. */
export function freshName(code: string, base: string, taken: (name: string) => boolean = () => false): string {
  const free = (name: string) => !code.includes(name) && !taken(name);
  if (free(base)) return base;
  let suffix = 1;
  while (!free(`${base}${suffix}`)) suffix++;
  return `${base}${suffix}`;
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
