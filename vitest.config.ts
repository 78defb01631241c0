import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vitest/config";

const require = createRequire(import.meta.url);
const root = dirname(fileURLToPath(import.meta.url));

/**
 * Unit tests run the compile stages in Node exactly as workerd runs them: esbuild-wasm's browser
 * build, initialised from a compiled `.wasm` module import (which wrangler provides in the Worker).
 */
const WASM_QUERY = "?compiled-module";
const wasmModules: Plugin = {
  name: "wasm-modules",
  enforce: "pre",
  resolveId(source) {
    return source.endsWith(".wasm") ? require.resolve(source) + WASM_QUERY : undefined;
  },
  load(id) {
    if (!id.endsWith(WASM_QUERY)) return undefined;
    const path = id.slice(0, -WASM_QUERY.length);
    return `import { readFileSync } from "node:fs";\nexport default new WebAssembly.Module(readFileSync(${JSON.stringify(path)}));`;
  },
};

/** `.txt` imports are text modules in the Worker (wrangler's default rule): strings here too. */
const textModules: Plugin = {
  name: "text-modules",
  enforce: "pre",
  load(id) {
    if (!id.endsWith(".txt")) return undefined;
    return `export default ${JSON.stringify(readFileSync(id, "utf8"))};`;
  },
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [wasmModules, textModules],
        resolve: {
          alias: [
            { find: /^esbuild-wasm$/, replacement: require.resolve("esbuild-wasm/lib/browser.js") },
            {
              find: /^cloudflare:workers$/,
              replacement: join(root, "test/shims/cloudflare-workers.ts"),
            },
          ],
        },
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**"],
          environment: "node",
          setupFiles: ["test/setup-unit.ts"],
          // Through vite, not Node's loader, so the `.wasm` import above is served by the plugin.
          server: { deps: { inline: [/esbuild-wasm/] } },
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          // One server for the whole run; files take turns so timing-sensitive cases stay predictable.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
