/**
 * Completion of `$` members from the /types declarations. A deliberately small reading of the
 * generated text: interfaces (with `extends`) and their members, and types of the form
 * `Name` or `Wrapper<Name>` to follow (`ServiceClient<ExampleApi>`), enough for `$.kv.get`.
 * Inside an import's string, the modules that import without a fetch: the service's own
 * (`declare module`) and the ready set of npm packages (`FunctionsDo.Packages`).
 */

import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";

interface Member {
  name: string;
  method: boolean;
  /** The interface the member's type names, if any, to continue after `.`. */
  target?: string;
  detail: string;
  doc?: string;
}

interface Declarations {
  interfaces: Map<string, { extends: string[]; members: Member[] }>;
  /** The interface of each top-level `declare const` (`$` → Runtime). */
  globals: Map<string, string | undefined>;
  /** Importable modules: `declare module` names and the ready set's packages (with version and description). */
  modules: { name: string; detail?: string; doc?: string }[];
}

/** Reads the interfaces and global constants out of the /types text. */
export function parseDeclarations(text: string): Declarations {
  const interfaces: Declarations["interfaces"] = new Map();
  const globals: Declarations["globals"] = new Map();
  const modules: Declarations["modules"] = [];
  const lines = text.split("\n");
  let current: Member[] | undefined;
  let currentName: string | undefined;
  let depth = 0;
  let doc: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    const open = /^export interface (\w+)(?:<[^>]*>)?(?: extends ([\w, <>]+))? \{$/.exec(trimmed);
    if (open?.[1]) {
      current = [];
      currentName = open[1];
      depth = 1;
      const parents = (open[2] ?? "").split(",").map((name) => name.trim().replace(/<.*$/, ""));
      interfaces.set(open[1], { extends: parents.filter(Boolean), members: current });
      continue;
    }
    const global = /^declare const (\w+|\$): ([\w.<>]+);/.exec(trimmed);
    if (global?.[1]) globals.set(global[1], typeName(global[2] ?? ""));
    const declared = /^declare module "([^"]+)"/.exec(trimmed);
    if (declared?.[1]) modules.push({ name: declared[1] });
    if (!current) continue;
    const pkg = currentName === "Packages" ? /^"([^"]+)": "([^"]+)";$/.exec(trimmed) : null;
    if (pkg?.[1]) {
      modules.push({ name: pkg[1], detail: pkg[2], doc: doc.join(" ") || undefined });
      doc = [];
      continue;
    }
    if (trimmed.startsWith("/**")) doc = [];
    if (trimmed.startsWith("/**") || trimmed.startsWith("*")) {
      const words = trimmed.replace(/^\/\*\*|\*\/$|^\*/g, "").trim();
      if (words && words !== "/") doc.push(words);
    } else if (depth === 1) {
      const member = /^(?:readonly )?(\w+)(\??)(<[^(]*>)?(\(|: )(.*)$/.exec(trimmed);
      if (member?.[1] && !current.some((known) => known.name === member[1])) {
        const method = member[4] === "(";
        current.push({
          name: member[1],
          method,
          target: method ? undefined : typeName((member[5] ?? "").replace(/;$/, "")),
          detail: method ? "method" : (member[5] ?? "").replace(/;$/, ""),
          doc: doc.join(" ") || undefined,
        });
      }
      doc = [];
    }
    depth += count(trimmed, "{") - count(trimmed, "}");
    if (depth <= 0) current = undefined;
  }
  return { interfaces, globals, modules };
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** `FunctionsDo.Kv` → `Kv`, `ServiceClient<ExampleApi>` → `ExampleApi`. */
function typeName(type: string): string | undefined {
  const inner = /<(\w+)>$/.exec(type)?.[1] ?? type;
  return /^[\w.]+$/.test(inner) ? inner.replace(/^.*\./, "") : undefined;
}

function membersOf(declarations: Declarations, name: string | undefined, seen = new Set<string>()): Member[] {
  const found = name ? declarations.interfaces.get(name) : undefined;
  if (!name || !found || seen.has(name)) return [];
  seen.add(name);
  return [...found.members, ...found.extends.flatMap((parent) => membersOf(declarations, parent, seen))];
}

/** A CodeMirror completion source for `$.…` chains, the global names and import specifiers. */
export function runtimeCompletions(declarations: Declarations) {
  return (context: CompletionContext): CompletionResult | null => {
    const specifier = context.matchBefore(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'][\w@./:-]*$/);
    if (specifier) {
      const quote = Math.max(specifier.text.lastIndexOf('"'), specifier.text.lastIndexOf("'"));
      const options = declarations.modules.map<Completion>((module) => ({
        label: module.name,
        type: "namespace",
        detail: module.detail,
        info: module.doc,
      }));
      return { from: specifier.from + quote + 1, options, validFor: /^[\w@./:-]*$/ };
    }
    const chain = context.matchBefore(/(?:\$|[A-Za-z_]\w*)(?:\.\w*)*$/);
    if (!chain) return null;
    const parts = chain.text.split(".");
    if (parts.length === 1) {
      if (!context.explicit && chain.text.length < 1) return null;
      const options: Completion[] = [...declarations.globals.keys()].map((name) => ({
        label: name,
        type: "variable",
        detail: name === "$" ? "the runtime" : "the request's args",
      }));
      return { from: chain.from, options, validFor: /^[\w$]*$/ };
    }
    let target = declarations.globals.get(parts[0] ?? "");
    if (!declarations.globals.has(parts[0] ?? "")) return null;
    for (const part of parts.slice(1, -1)) {
      target = membersOf(declarations, target).find((member) => member.name === part)?.target;
      if (!target) return null;
    }
    const last = parts.at(-1) ?? "";
    const options = membersOf(declarations, target).map<Completion>((member) => ({
      label: member.name,
      type: member.method ? "method" : "property",
      detail: member.detail,
      info: member.doc,
    }));
    return { from: chain.to - last.length, options, validFor: /^\w*$/ };
  };
}
