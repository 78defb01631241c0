// The TypeScript declarations of the ready set, for the type checker (type-checker/): every
// declaration file the compiler reads when a module imports each package and subpath of the ready
// set, with the package.json files that lead to them, keyed `node_modules/<path>`. The checker
// serves them from memory, so a snippet that misuses `date-fns` gets a `types` warning.

import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";

/**
 * `@types/papaparse` refers to Node's types for its streaming overloads; the sandbox's snippets do
 * not get Node's globals, so a stub stands in for the 2 MiB of @types/node.
 */
const NODE_TYPES_STUB = `declare namespace NodeJS { interface ReadableStream {} }
declare module "stream" { export class Duplex {} }
`;

/** Compiler options the checker uses too (type-checker/check.ts): bundler resolution, browser conditions. */
export const PACKAGE_CONDITIONS = ["browser"];

export async function packageTypes(root, specifiers) {
  const { default: ts } = await import("typescript-js");
  const probe = join(root, ".functions-do-probe.ts");
  const text = specifiers.map((specifier, at) => `import * as m${at} from ${JSON.stringify(specifier)};`).join("\n");
  const host = ts.createCompilerHost({});
  const readFileHost = host.readFile.bind(host);
  host.readFile = (file) => (file === probe ? text : readFileHost(file));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === probe || fileExists(file);
  const program = ts.createProgram(
    [probe],
    {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      customConditions: PACKAGE_CONDITIONS,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    host,
  );
  const unresolved = program
    .getSemanticDiagnostics(program.getSourceFile(probe))
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, " "));
  const files = { "node_modules/@types/node/index.d.ts": NODE_TYPES_STUB };
  const packages = new Set();
  for (const source of program.getSourceFiles()) {
    const path = relative(root, source.fileName);
    if (!path.startsWith("node_modules/") || path.startsWith("node_modules/typescript-js/")) continue;
    if (path.startsWith("node_modules/@types/node/") || path.startsWith("node_modules/undici-types/")) continue;
    files[path] = source.text;
    const parts = path.split("/");
    packages.add(parts.slice(0, parts[1]?.startsWith("@") ? 3 : 2).join("/"));
  }
  // The manifests, for `exports` and `types`: only the fields resolution reads.
  for (const pkg of packages) {
    const manifest = JSON.parse(await readFile(join(root, pkg, "package.json"), "utf8"));
    const { name, version, type, main, module, types, typings, exports, typesVersions } = manifest;
    files[`${pkg}/package.json`] = JSON.stringify({
      name,
      version,
      type,
      main,
      module,
      types,
      typings,
      exports,
      typesVersions,
    });
  }
  return { files, unresolved };
}
