/**
 * Stage 2, fast path: TypeScript whose types can simply be erased (annotations, interfaces, type
 * aliases, generics, `as`, `satisfies`, `!`, modifiers, type-only imports) becomes JavaScript by
 * blanking the types out in place: every erased character becomes a space and newlines stay, so
 * each position in the output is the same position in the input and no source map is needed.
 * Parsed with acorn and the acorn-typescript plugin, about as fast as parsing JavaScript.
 *
 * Anything that needs code generated (enums, namespaces, parameter properties, decorators, imports
 * TypeScript might elide) returns `undefined`, and esbuild strips the types instead. So does an
 * erasure that could change how the remaining code parses: a blanked span with a line break inside
 * an expression (`return <T>\nx`, `(): T\n=> x`). An erased statement becomes `;` plus blanks,
 * so the statements around it stay apart.
 */

import { tsPlugin } from "@sveltejs/acorn-typescript";
import { type Options, Parser, type Program } from "acorn";
import { PARSE_OPTIONS, parseProgram } from "./parse";

export interface Erased {
  code: string;
  program: Program;
}

const TypeScriptParser = Parser.extend(tsPlugin());

// The plugin needs locations.
const OPTIONS: Options = { ...PARSE_OPTIONS, locations: true };

/** Constructs with no erasable form: esbuild handles code that uses them. */
const NEEDS_CODEGEN = new Set([
  "TSEnumDeclaration",
  "TSParameterProperty",
  "Decorator",
  "TSImportEqualsDeclaration",
  "TSExportAssignment",
  "TSNamespaceExportDeclaration",
]);

/** Whole statements (or class members) that exist only for the type checker. */
const TYPE_ONLY_STATEMENTS = new Set([
  "TSInterfaceDeclaration",
  "TSTypeAliasDeclaration",
  "TSDeclareFunction",
  "TSDeclareMethod",
  "TSIndexSignature",
  "TSAbstractPropertyDefinition",
  "TSAbstractMethodDefinition",
  "TSAbstractAccessorProperty",
]);

/** Type syntax erased wherever it appears. */
const TYPE_ONLY = new Set(["TSTypeAnnotation", "TSTypeParameterDeclaration", "TSTypeParameterInstantiation"]);

const MEMBER_MODIFIERS = /\b(?:private|public|protected|readonly|override|declare|abstract)\b/g;

type AnyNode = { type: string; start: number; end: number } & Record<string, unknown>;

class NotErasable extends Error {}

export function eraseTypes(code: string): Erased | undefined {
  let root: AnyNode;
  try {
    root = TypeScriptParser.parse(code, OPTIONS) as unknown as AnyNode;
  } catch {
    return undefined; // esbuild reports the syntax error, with its better messages
  }
  const spans: { start: number; end: number; statement: boolean }[] = [];
  const erase = (start: number, end: number, statement = false) => {
    if (end <= start) return;
    if (!statement && code.slice(start, end).includes("\n")) throw new NotErasable();
    spans.push({ start, end, statement });
  };

  const visit = (node: AnyNode): void => {
    if (NEEDS_CODEGEN.has(node.type)) throw new NotErasable();
    if (Array.isArray(node.decorators) && node.decorators.length > 0) throw new NotErasable();
    if (node.type === "TSModuleDeclaration" && !node.declare) throw new NotErasable();
    if (TYPE_ONLY_STATEMENTS.has(node.type) || node.declare === true) {
      erase(node.start, node.end, true);
      return;
    }
    if (TYPE_ONLY.has(node.type)) {
      erase(node.start, node.end);
      return;
    }
    switch (node.type) {
      case "ImportDeclaration":
        // TypeScript drops imports whose bindings only appear in types: leave those to esbuild.
        if (node.importKind === "type") {
          erase(node.start, node.end, true);
          return;
        }
        if ((node.specifiers as AnyNode[]).length > 0) throw new NotErasable();
        return;
      case "ExportNamedDeclaration":
        if (node.exportKind === "type") {
          erase(node.start, node.end, true);
          return;
        }
        if ((node.specifiers as AnyNode[]).some((specifier) => specifier.exportKind === "type"))
          throw new NotErasable();
        if (isTypeOnly(node.declaration as AnyNode | null)) {
          erase(node.start, node.end, true);
          return;
        }
        break;
      case "ExportDefaultDeclaration":
        if (isTypeOnly(node.declaration as AnyNode)) {
          erase(node.start, node.end, true);
          return;
        }
        break;
      case "TSAsExpression":
      case "TSSatisfiesExpression":
        erase((node.expression as AnyNode).end, node.end);
        visit(node.expression as AnyNode);
        return;
      case "TSNonNullExpression":
        erase(node.end - 1, node.end);
        visit(node.expression as AnyNode);
        return;
      case "TSTypeAssertion":
        erase(node.start, (node.expression as AnyNode).start);
        visit(node.expression as AnyNode);
        return;
      case "TSInstantiationExpression":
        erase((node.expression as AnyNode).end, node.end);
        visit(node.expression as AnyNode);
        return;
      case "Identifier":
        if (node.name === "this" && node.typeAnnotation) throw new NotErasable();
        if (node.optional || node.definite) eraseMarker(node.start + String(node.name).length, node);
        break;
      case "VariableDeclarator": {
        // `let total!: number`: the `!` belongs to the declarator.
        const id = node.id as AnyNode;
        if (node.definite && id.type === "Identifier") eraseMarker(id.start + String(id.name).length, id);
        break;
      }
      case "ClassDeclaration":
      case "ClassExpression":
        eraseClassHeader(node);
        break;
      case "PropertyDefinition":
      case "MethodDefinition":
      case "AccessorProperty":
        eraseMemberModifiers(node);
        break;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "loc") continue;
      if (Array.isArray(value)) for (const item of value) visitChild(item);
      else visitChild(value);
    }
  };
  const visitChild = (value: unknown) => {
    if (typeof value === "object" && value !== null && typeof (value as AnyNode).type === "string")
      visit(value as AnyNode);
  };

  /** `?` and `!` after a name (`x?: T`, `y!: T`): whichever of them follows `from` within the node. */
  const eraseMarker = (from: number, node: AnyNode) => {
    const annotation = node.typeAnnotation as AnyNode | undefined;
    const limit = annotation ? annotation.start : node.end;
    for (let index = from; index < limit; index++) {
      const char = code[index];
      if (char === "?" || char === "!") erase(index, index + 1);
    }
  };

  const eraseClassHeader = (node: AnyNode) => {
    if (node.abstract) {
      const at = code.lastIndexOf("abstract", (node.id as AnyNode | null)?.start ?? node.start + 16);
      if (at >= node.start - 9 && at >= 0) erase(at, at + "abstract".length);
    }
    const implemented = (node.implements as AnyNode[] | undefined) ?? [];
    const first = implemented[0];
    const last = implemented.at(-1);
    if (first && last) {
      const keyword = code.lastIndexOf("implements", first.start);
      if (keyword < 0) throw new NotErasable();
      erase(keyword, last.end);
    }
    for (const key of ["superTypeParameters", "superTypeArguments"]) {
      const typeArguments = node[key] as AnyNode | undefined;
      if (typeArguments) erase(typeArguments.start, typeArguments.end);
    }
  };

  const eraseMemberModifiers = (node: AnyNode) => {
    const key = node.key as AnyNode;
    const prefix = code.slice(node.start, key.start);
    for (const match of prefix.matchAll(MEMBER_MODIFIERS)) {
      erase(node.start + match.index, node.start + match.index + match[0].length);
    }
    if (node.optional || node.definite) {
      const value = node.value as AnyNode | null;
      const annotation = node.typeAnnotation as AnyNode | undefined;
      const limit = annotation?.start ?? value?.start ?? node.end;
      for (let index = key.end; index < limit; index++) {
        if (code[index] === "?" || code[index] === "!") {
          erase(index, index + 1);
          break;
        }
      }
    }
  };

  try {
    visit(root);
  } catch (error) {
    if (error instanceof NotErasable) return undefined;
    throw error;
  }
  const erased = blank(code, spans);
  const parsed = parseProgram(erased);
  return parsed.ok ? { code: erased, program: parsed.value } : undefined;
}

function isTypeOnly(node: AnyNode | null | undefined): boolean {
  return !!node && (TYPE_ONLY_STATEMENTS.has(node.type) || node.declare === true);
}

/** Replaces each span with blanks (a statement's first blank is `;`), keeping line breaks. */
function blank(code: string, spans: { start: number; end: number; statement: boolean }[]): string {
  if (spans.length === 0) return code;
  spans.sort((a, b) => a.start - b.start);
  let out = "";
  let cursor = 0;
  for (const { start, end, statement } of spans) {
    if (start < cursor) continue; // nested inside a span already blanked
    out += code.slice(cursor, start);
    const text = code.slice(start, end).replace(/[^\n]/g, " ");
    out += statement ? `;${text.slice(1)}` : text;
    cursor = end;
  }
  return out + code.slice(cursor);
}
