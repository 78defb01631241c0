/**
 * Stage 4: decide from the syntax tree what kind of snippet this is and where its result comes
 * from (docs/api.md, "Shapes of code"). The decision is made once here; later stages only follow it.
 *
 *   statements   `const a = 1; return a`        result: what it returns
 *   expression   `const a = 1; a + 1`           result: the last expression's value
 *   function     `async (args) => args.x * 2`   result: the function, called with `args`
 *   declaration  `function main(args) { ... }`  result: the function (`main`, or the last), called
 *   module       `export default ...`           result: the default export, called if a function
 */

import type {
  ExportAllDeclaration,
  ExportDefaultDeclaration,
  ExportNamedDeclaration,
  ExpressionStatement,
  ImportDeclaration,
  ImportExpression,
  ModuleDeclaration,
  Node,
  Program,
  Statement,
} from "acorn";
import { simple } from "acorn-walk";
import type { RunMode } from "../../shared/protocol";

export type ShapeKind = "statements" | "expression" | "function" | "declaration" | "module";

/** Where the run's completion value comes from. */
export type Completion =
  | { type: "none" }
  /** `return (<expression>)` replaces the last expression statement. */
  | { type: "expression"; statement: ExpressionStatement }
  /** `return <name>` is appended: a declared function or the module's default export. */
  | { type: "binding"; name: string }
  /** `export default <anonymous>` becomes a binding the compiler names. */
  | { type: "default-export"; declaration: ExportDefaultDeclaration };

export interface ModuleRequest {
  specifier: string;
  /** Offsets of the specifier (or of the whole `import()` when it is not a string literal). */
  start: number;
  end: number;
  dynamic: boolean;
  /** The specifier is not a string literal (`import(name)`), so it cannot be checked. */
  computed: boolean;
  /** The names imported from the module (`default` for a default import), where they are written. */
  names: { name: string; start: number }[];
}

export interface Shape {
  kind: ShapeKind;
  mode: RunMode;
  completion: Completion;
  imports: ImportDeclaration[];
  exports: (ExportNamedDeclaration | ExportDefaultDeclaration | ExportAllDeclaration)[];
  requests: ModuleRequest[];
}

export function decideShape(program: Program): Shape {
  const imports: ImportDeclaration[] = [];
  const exports: Shape["exports"] = [];
  const rest: (Statement | ModuleDeclaration)[] = [];
  for (const statement of program.body) {
    // An empty statement (`;`, or what an erased TypeScript declaration leaves) changes no shape.
    if (statement.type === "EmptyStatement") continue;
    if (statement.type === "ImportDeclaration") imports.push(statement);
    else {
      if (isExport(statement)) exports.push(statement);
      rest.push(statement);
    }
  }
  const requests = moduleRequests(program, imports, exports);
  const base = { imports, exports, requests };

  const defaultExport = findDefaultExport(exports);
  if (defaultExport) return { ...base, kind: "module", mode: "call", completion: defaultExport };

  const declared = rest.map(declaredFunctionName);
  if (rest.length > 0 && declared.every((name) => name !== undefined)) {
    const name = declared.includes("main") ? "main" : (declared.at(-1) as string);
    return { ...base, kind: "declaration", mode: "call", completion: { type: "binding", name } };
  }

  const last = rest.at(-1);
  if (last?.type === "ExpressionStatement") {
    const isFunction =
      last.expression.type === "ArrowFunctionExpression" || last.expression.type === "FunctionExpression";
    return {
      ...base,
      kind: isFunction ? "function" : "expression",
      mode: isFunction ? "call" : "value",
      completion: { type: "expression", statement: last },
    };
  }
  return { ...base, kind: "statements", mode: "value", completion: { type: "none" } };
}

function isExport(node: Node): node is Shape["exports"][number] {
  return (
    node.type === "ExportNamedDeclaration" ||
    node.type === "ExportDefaultDeclaration" ||
    node.type === "ExportAllDeclaration"
  );
}

function findDefaultExport(exports: Shape["exports"]): Completion | undefined {
  for (const node of exports) {
    if (node.type === "ExportDefaultDeclaration") {
      const declaration = node.declaration;
      const named =
        (declaration.type === "FunctionDeclaration" || declaration.type === "ClassDeclaration") && declaration.id;
      return named ? { type: "binding", name: named.name } : { type: "default-export", declaration: node };
    }
    if (node.type === "ExportNamedDeclaration" && !node.source) {
      for (const specifier of node.specifiers) {
        if (nameOf(specifier.exported) === "default") {
          return { type: "binding", name: nameOf(specifier.local) };
        }
      }
    }
  }
  return undefined;
}

/** The name of a function declaration, exported or not; `undefined` for any other statement. */
function declaredFunctionName(node: Statement | ModuleDeclaration): string | undefined {
  const declaration = node.type === "ExportNamedDeclaration" ? node.declaration : node;
  if (declaration?.type === "FunctionDeclaration") return declaration.id?.name;
  return undefined;
}

function nameOf(node: { type: string; name?: string; value?: unknown }): string {
  return node.type === "Identifier" ? String(node.name) : String(node.value);
}

function moduleRequests(program: Program, imports: ImportDeclaration[], exports: Shape["exports"]): ModuleRequest[] {
  const requests: ModuleRequest[] = [];
  const literal = (
    source: { value?: unknown; start: number; end: number },
    dynamic: boolean,
    names: ModuleRequest["names"] = [],
  ) => {
    requests.push({
      specifier: String(source.value),
      start: source.start,
      end: source.end,
      dynamic,
      computed: false,
      names,
    });
  };
  for (const node of imports) {
    const names = node.specifiers.flatMap((specifier) => {
      if (specifier.type === "ImportNamespaceSpecifier") return [];
      const name = specifier.type === "ImportDefaultSpecifier" ? "default" : nameOf(specifier.imported);
      return [{ name, start: specifier.start }];
    });
    literal(node.source, false, names);
  }
  for (const node of exports) {
    if (node.type === "ExportNamedDeclaration" && node.source) {
      literal(
        node.source,
        false,
        node.specifiers.map((specifier) => ({ name: nameOf(specifier.local), start: specifier.start })),
      );
    } else if (node.type === "ExportAllDeclaration") {
      literal(node.source, false);
    }
  }
  simple(program, {
    ImportExpression(node: ImportExpression) {
      const source = node.source;
      if (source.type === "Literal" && typeof source.value === "string") literal(source, true);
      else requests.push({ specifier: "", start: node.start, end: node.end, dynamic: true, computed: true, names: [] });
    },
  });
  return requests;
}
