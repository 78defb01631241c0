/**
 * Stage 8: bundle the module with the provided modules it imports, in-worker, with esbuild-wasm.
 * Skipped when nothing is imported (the common case): the module is already self-contained.
 * Libraries stay imports of `./libraries/<name>.js`, loaded next to the unit (see run/loader.ts):
 * re-parsing zod's 350 KiB on every compile would cost ~0.5 s and grow every unit that uses it.
 * What the bundler refuses (a name the module does not export, an assignment to a constant) is a
 * diagnostic located in the stage's input, like any other compile error.
 */

import type { Message, Plugin } from "esbuild-wasm";
import { TICK_GLOBAL } from "../../shared/protocol";
import { type StageResult, succeed } from "./diagnostic";
import { loadEsbuild } from "./esbuild";
import { isRelativeSpecifier, resolveFile } from "./files";
import type { SubmittedModules } from "./input";
import { type ProvidedModule, providedModule } from "./modules";
import { type PreparedFile, TICK_SPECIFIER } from "./prepare-file";
import { toDiagnostic } from "./strip-types";

export interface Bundled {
  code: string;
  /** Source map of the bundle; user code appears in it as `SOURCE_NAME`. */
  map: string;
}

/** The name the module being bundled has in the bundle's source map. */
export const SOURCE_NAME = "input.js";

/** The submitted files a multi-file unit's imports resolve among (prepared: stripped and instrumented). */
export interface BundleFiles {
  modules: SubmittedModules;
  prepared: Record<string, PreparedFile>;
}

const TICK_NAMESPACE = "tick";

/** The namespace of submitted files; the bundle's source map names them `files:<path>`. */
export const FILES_NAMESPACE = "files";

export async function bundleModule(
  code: string,
  files?: BundleFiles,
  linked?: ReadonlyMap<string, ProvidedModule>,
): Promise<StageResult<Bundled>> {
  const esbuild = await loadEsbuild();
  let result: Awaited<ReturnType<typeof esbuild.build>>;
  try {
    result = await esbuild.build({
      stdin: { contents: code, sourcefile: SOURCE_NAME, loader: "js" },
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "esnext",
      charset: "utf8",
      sourcemap: "external",
      outfile: "unit.js",
      logLevel: "silent",
      plugins: files ? [submittedFiles(files), providedModules(linked)] : [providedModules(linked)],
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) throw error;
    return {
      ok: false,
      // Located only when the problem is in the module itself, not inside a provided module.
      diagnostics: errors.map((message) => {
        const diagnostic = toDiagnostic(message, code);
        if (message.location?.file === SOURCE_NAME) return diagnostic;
        const file = message.location?.file.startsWith(`${FILES_NAMESPACE}:`)
          ? message.location.file.slice(FILES_NAMESPACE.length + 1)
          : undefined;
        return { ...diagnostic, position: undefined, ...(file && { file }) };
      }),
    };
  }
  const js = result.outputFiles?.find((file) => file.path.endsWith(".js"));
  const map = result.outputFiles?.find((file) => file.path.endsWith(".map"));
  if (!js || !map) throw new Error("esbuild produced no output");
  return succeed({ code: js.text, map: map.text });
}

const NAMESPACE = "provided";

/**
 * Resolves relative imports among the submitted files: source files load prepared, WebAssembly
 * stays an import of `./<path>`, loaded next to the unit as a compiled module (run/loader.ts).
 */
function submittedFiles({ modules, prepared }: BundleFiles): Plugin {
  return {
    name: "submitted-files",
    setup(build) {
      build.onResolve({ filter: /^functions\.do:tick$/ }, () => ({ path: TICK_SPECIFIER, namespace: TICK_NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: TICK_NAMESPACE }, () => ({
        contents: `export const tick = globalThis[${JSON.stringify(TICK_GLOBAL)}];`,
        loader: "js",
      }));
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === "entry-point" || !isRelativeSpecifier(args.path)) return undefined;
        const importer = args.namespace === FILES_NAMESPACE ? args.importer : modules.main;
        const path = resolveFile(importer, args.path, modules);
        if (!path) return { errors: [{ text: `Cannot find module "${args.path}" among the submitted files` }] };
        if (path.endsWith(".wasm")) return { path: `./${path}`, external: true };
        if (path === modules.main) {
          return { errors: [{ text: `"${args.path}" is the main module, which other files cannot import` }] };
        }
        return { path, namespace: FILES_NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: FILES_NAMESPACE }, (args) => {
        const file = prepared[args.path];
        if (!file) return { errors: [{ text: `Cannot find module "${args.path}"` }] };
        return { contents: file.code, loader: file.loader };
      });
    },
  };
}

/** Resolves only provided modules (and linked packages); the resolve stage has refused everything else. */
const providedModules = (linked?: ReadonlyMap<string, ProvidedModule>): Plugin => ({
  name: "provided-modules",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const module = linked?.get(args.path) ?? providedModule(args.path);
      if (!module) return { errors: [{ text: `Cannot find module "${args.path}"` }] };
      if (module.library) return { path: `./${module.library.module}`, external: true };
      return { path: args.path, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: providedModule(args.path)?.source ?? "",
      loader: "js",
    }));
  },
});
