/**
 * Bundles one entry of a registry package into one ES module with esbuild-wasm, in the host, from
 * the extracted files: nothing is installed and no install script runs. Dependencies are fetched as
 * the bundler reaches them (so only what the entry imports), at the version the importing package's
 * own package.json asks for. Node built-ins stay imports of `node:*`, which the sandbox provides;
 * those it only stubs refuse the package. A CommonJS entry gets its `module.exports` keys as named
 * exports (as Node reads them), with `default` the exports object.
 */

import type { Message, Plugin } from "esbuild-wasm";
import { loadEsbuild } from "../compile/esbuild";
import { builtinName, UNSUPPORTED_BUILTINS } from "./builtins";
import { commonJsExports } from "./cjs-exports";
import { PackageError } from "./errors";
import type { PackageFetcher } from "./fetch-package";
import { browserReplacement, type PackageFiles, resolveEntry, resolveFile, resolveRelative } from "./node-resolve";

export interface BundledEntry {
  code: string;
  exports: string[];
}

const NAMESPACE = "pkg";
const EMPTY = "empty";
const ENTRY = "\0entry";

/** Bundles `root/subpath` (subpath "" for the main entry). Throws PackageError. */
export async function bundleEntry(
  root: PackageFiles,
  subpath: string,
  fetcher: PackageFetcher,
  maxBytes: number,
): Promise<BundledEntry> {
  const label = subpath ? `${root.name}@${root.version}/${subpath}` : `${root.name}@${root.version}`;
  const entry = resolveEntry(root, subpath);
  if (entry === undefined || entry === false) {
    throw new PackageError(
      "unknown_entry",
      subpath
        ? `Package ${root.name}@${root.version} has no entry "${subpath}" (its package.json does not export it, or no such file).`
        : `Package ${root.name}@${root.version} has no main entry to import.`,
    );
  }
  const graph = new PackageGraph(root, fetcher);
  const first = await run(graph, { entry: key(root, entry) }, label);
  const format = first.metafile?.inputs[`${NAMESPACE}:${key(root, entry)}`]?.format;
  let result = first;
  if (format === "cjs") {
    const names = commonJsExports(
      entry,
      (path) => text(root, path),
      (from, specifier) =>
        specifier.startsWith(".") ? resolveRelative(root, from, specifier) || undefined : undefined,
    );
    const wrapper = [
      `const m = require(${JSON.stringify(ENTRY)});`,
      "export default m && m.__esModule && 'default' in m ? m.default : m;",
      ...(names.length > 0 ? [`export const { ${names.join(", ")} } = m;`] : []),
    ].join("\n");
    result = await run(graph, { entry: key(root, entry), wrapper }, label);
  }
  if (graph.unsupported.size > 0) {
    const list = [...graph.unsupported.entries()].map(([name, importer]) => `${name} (imported by ${importer})`);
    throw new PackageError(
      "unsupported_builtins",
      `Package ${label} needs Node built-ins the sandbox lacks: ${list.join(", ")}. The sandbox has the other Node modules (nodejs_compat).`,
    );
  }
  const output = result.outputFiles?.[0];
  if (!output) throw new PackageError("invalid_package", `Bundling ${label} produced no output.`);
  if (output.contents.byteLength > maxBytes) {
    throw new PackageError("too_large", `The bundle of ${label} is over ${maxBytes} bytes (the limit).`);
  }
  const [meta] = Object.values(result.metafile?.outputs ?? {});
  return { code: output.text, exports: [...(meta?.exports ?? [])].sort() };
}

type BuildResult = Awaited<ReturnType<Awaited<ReturnType<typeof loadEsbuild>>["build"]>>;

async function run(
  graph: PackageGraph,
  input: { entry: string; wrapper?: string },
  label: string,
): Promise<BuildResult> {
  const esbuild = await loadEsbuild();
  try {
    return await esbuild.build({
      ...(input.wrapper
        ? { stdin: { contents: input.wrapper, sourcefile: "entry.js", loader: "js" } }
        : { entryPoints: [ENTRY] }),
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "esnext",
      charset: "utf8",
      metafile: true,
      outfile: "package.js",
      logLevel: "silent",
      define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
      plugins: [graph.plugin(input.entry)],
    });
  } catch (error) {
    if (error instanceof PackageError) throw error;
    const errors = (error as { errors?: Message[] }).errors;
    const cause = errors?.find((message) => message.detail instanceof PackageError)?.detail;
    if (cause instanceof PackageError) throw cause;
    const first = errors?.[0];
    if (!first) throw error;
    const where = first.location ? ` (${first.location.file.replace(`${NAMESPACE}:`, "")}:${first.location.line})` : "";
    throw new PackageError("invalid_package", `Package ${label} could not be bundled: ${first.text}${where}.`);
  }
}

/** The packages one build reaches, keyed `name@version`, and the plugin that resolves among them. */
class PackageGraph {
  private readonly packages = new Map<string, PackageFiles>();
  /** Stubbed built-ins imported, with the first file that imported each. */
  readonly unsupported = new Map<string, string>();

  constructor(
    private readonly root: PackageFiles,
    private readonly fetcher: PackageFetcher,
  ) {
    this.packages.set(id(root), root);
  }

  plugin(entry: string): Plugin {
    return {
      name: "registry-package",
      setup: (build) => {
        build.onResolve({ filter: /.*/ }, async (args) => {
          if (args.path === ENTRY) return { path: entry, namespace: NAMESPACE };
          if (args.namespace !== NAMESPACE) return { errors: [{ text: `Cannot resolve "${args.path}"` }] };
          return this.resolve(args.importer, args.path);
        });
        build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
          const [pkg, file] = this.split(args.path);
          const bytes = pkg?.files.get(file);
          if (!bytes) return { errors: [{ text: `Cannot read ${args.path}` }] };
          return { contents: bytes, loader: loaderFor(file) };
        });
        build.onLoad({ filter: /.*/, namespace: EMPTY }, () => ({ contents: "module.exports = {};", loader: "js" }));
      },
    };
  }

  private async resolve(importer: string, specifier: string) {
    const [pkg, file] = this.split(importer);
    if (!pkg) return { errors: [{ text: `Cannot resolve "${specifier}" from ${importer}` }] };
    if (specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..") {
      return this.located(pkg, resolveRelative(pkg, file, specifier), specifier, importer);
    }
    if (specifier.startsWith("/")) return { errors: [{ text: `Cannot import the absolute path "${specifier}"` }] };
    const replaced = browserReplacement(pkg, specifier);
    if (replaced === false) return { path: specifier, namespace: EMPTY };
    const target = typeof replaced === "string" ? replaced : specifier;
    if (target.startsWith("./")) return this.located(pkg, resolveFile(pkg, target.slice(2)), specifier, importer);

    const { name, subpath } = splitBare(target);
    const declared = dependencyRange(pkg, name) ?? dependencyRange(this.root, name);
    const builtin = builtinName(target);
    if (builtin && (target.startsWith("node:") || declared === undefined)) {
      if (UNSUPPORTED_BUILTINS.has(builtin) && !this.unsupported.has(builtin)) {
        this.unsupported.set(builtin, `${pkg.name}/${file}`);
      }
      return { path: `node:${builtin}`, external: true };
    }
    let dependency: PackageFiles;
    if (name === pkg.name) dependency = pkg;
    else {
      if (declared === undefined) {
        return {
          errors: [
            { text: `${pkg.name}/${file} imports "${name}", which its package.json does not list as a dependency` },
          ],
        };
      }
      try {
        dependency = await this.fetcher.resolve(name, declared);
      } catch (error) {
        return { errors: [{ text: error instanceof Error ? error.message : String(error), detail: error }] };
      }
      this.packages.set(id(dependency), dependency);
    }
    return this.located(dependency, resolveEntry(dependency, subpath), specifier, importer);
  }

  private located(pkg: PackageFiles, path: string | false | undefined, specifier: string, importer: string) {
    if (path === false) return { path: `${id(pkg)}:${specifier}`, namespace: EMPTY };
    if (path === undefined)
      return { errors: [{ text: `Cannot find "${specifier}" (imported by ${importer.replace(/@[^@:]*:/, "/")})` }] };
    return { path: key(pkg, path), namespace: NAMESPACE };
  }

  private split(path: string): [PackageFiles | undefined, string] {
    const at = path.indexOf(":");
    return [this.packages.get(path.slice(0, at)), path.slice(at + 1)];
  }
}

function id(pkg: PackageFiles): string {
  return `${pkg.name}@${pkg.version}`;
}

function key(pkg: PackageFiles, file: string): string {
  return `${id(pkg)}:${file}`;
}

function text(pkg: PackageFiles, path: string): string | undefined {
  const bytes = pkg.files.get(path);
  return bytes && new TextDecoder().decode(bytes);
}

function dependencyRange(pkg: PackageFiles, name: string): string | undefined {
  const { dependencies, peerDependencies, optionalDependencies } = pkg.json;
  return dependencies?.[name] ?? peerDependencies?.[name] ?? optionalDependencies?.[name];
}

function splitBare(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const size = specifier.startsWith("@") ? 2 : 1;
  return { name: parts.slice(0, size).join("/"), subpath: parts.slice(size).join("/") };
}

function loaderFor(file: string): "js" | "json" | "ts" | "tsx" | "jsx" {
  if (file.endsWith(".json")) return "json";
  if (/\.(?:ts|mts|cts)$/.test(file)) return "ts";
  if (file.endsWith(".tsx")) return "tsx";
  if (file.endsWith(".jsx")) return "jsx";
  return "js";
}
