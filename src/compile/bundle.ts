/**
 * Stage 8: bundle the module with the provided modules it imports, in-worker, with esbuild-wasm.
 * Skipped when nothing is imported (the common case): the module is already self-contained.
 */

import type { Plugin } from "esbuild-wasm";
import { loadEsbuild } from "./esbuild";
import { providedModule } from "./modules";

export interface Bundled {
  code: string;
  /** Source map of the bundle; user code appears in it as `SOURCE_NAME`. */
  map: string;
}

/** The name the module being bundled has in the bundle's source map. */
export const SOURCE_NAME = "input.js";

export async function bundleModule(code: string): Promise<Bundled> {
  const esbuild = await loadEsbuild();
  const result = await esbuild.build({
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
    plugins: [providedModules],
  });
  const js = result.outputFiles.find((file) => file.path.endsWith(".js"));
  const map = result.outputFiles.find((file) => file.path.endsWith(".map"));
  if (!js || !map) throw new Error("esbuild produced no output");
  return { code: js.text, map: map.text };
}

const NAMESPACE = "provided";

/** Resolves only provided modules; the resolve stage has already refused everything else. */
const providedModules: Plugin = {
  name: "provided-modules",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      if (!providedModule(args.path)) return { errors: [{ text: `Cannot find module "${args.path}"` }] };
      return { path: args.path, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: providedModule(args.path)?.source ?? "",
      loader: "js",
    }));
  },
};
