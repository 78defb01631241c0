// Builds the ready set: the npm packages snippets import without a fetch, pre-bundled at build time
// from this project's own node_modules. Each package becomes text modules of the Worker (never
// parsed by the host at its start): its main entry as one minified ES module, and its subpaths
// (`date-fns/format`, `lodash-es/chunk`, `dayjs/plugin/utc`) as JSON holding small modules. A
// subpath whose every export is an export of the main entry (Node says so, by identity) becomes a
// one-line re-export of it; the others are bundled together with code splitting, so shared code is
// one chunk, and a package's own name inside them is its main module (one dayjs, whatever plugin
// extends it). Output: src/generated/libraries.ts and src/generated/libraries/*.txt.

import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, posix } from "node:path";
import { build } from "esbuild";

/**
 * The ready set. To add a package: `npm install` it, list it here with a one-line description.
 * `files` lists the subpaths of a package without an `exports` map (globs of one `*`, relative to
 * the package); with a map, its keys are the subpaths (`skip` drops some, e.g. a CLI).
 */
export const READY_SET = [
  { name: "zod", description: 'schema validation: import { z } from "zod"' },
  {
    name: "lodash-es",
    description: 'utilities: import { chunk, groupBy } from "lodash-es" (or "lodash-es/chunk")',
    files: ["*.js"],
  },
  { name: "date-fns", description: 'dates: import { format, addDays } from "date-fns" (or "date-fns/format")' },
  {
    name: "dayjs",
    description:
      'dates: import dayjs from "dayjs"; plugins from "dayjs/plugin/<name>", locales from "dayjs/locale/<code>"',
    files: ["plugin/*.js", "locale/*.js"],
  },
  { name: "yaml", description: 'YAML: import { parse, stringify } from "yaml"' },
  { name: "papaparse", description: 'CSV: import Papa from "papaparse"; Papa.parse(text, { header: true })' },
  { name: "uuid", description: 'UUIDs: import { v4, v7 } from "uuid"' },
  { name: "nanoid", description: 'short ids: import { nanoid } from "nanoid"' },
  { name: "marked", description: 'Markdown to HTML: import { marked } from "marked"' },
  { name: "decimal.js", description: 'decimal arithmetic: import Decimal from "decimal.js"' },
  { name: "fast-xml-parser", description: 'XML: import { XMLParser, XMLBuilder } from "fast-xml-parser"' },
  { name: "diff", description: 'text diffs: import { diffLines, createPatch } from "diff"', skip: [/^diff\/lib\//] },
  {
    name: "cheerio",
    description: 'HTML parsing and querying (its browser build): import { load } from "cheerio"',
  },
];

const common = {
  bundle: true,
  write: false,
  format: "esm",
  platform: "browser",
  target: "esnext",
  charset: "utf8",
  legalComments: "none",
  logLevel: "error",
  minify: true,
  metafile: true,
};

const RESERVED = new Set(
  "await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield".split(
    " ",
  ),
);

/**
 * Builds every package of the ready set into `outDir` (skipped when its inputs did not change) and
 * returns the stamp of its inputs, which goes into BUILD_ID. `plugins` (esbuild) trim what a
 * package carries (build-prelude.mjs: zod's non-English locales).
 */
export async function buildLibraries(root, outDir, plugins = []) {
  const require = createRequire(join(root, "package.json"));
  const versions = {};
  for (const { name } of READY_SET) versions[name] = await packageJson(root, name).then((pkg) => pkg.version);
  const stamp = createHash("sha256")
    .update(JSON.stringify({ READY_SET, versions }, (_key, value) => (value instanceof RegExp ? String(value) : value)))
    .update(await readFile(new URL(import.meta.url)))
    .update(plugins.map((plugin) => `${plugin.name}:${plugin.setup}`).join("\n"))
    .digest("hex")
    .slice(0, 16);
  const index = join(outDir, "..", "libraries.ts");
  const current = await readFile(index, "utf8").catch(() => "");
  if (current.includes(`STAMP = "${stamp}"`)) return stamp;

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const entries = [];
  for (const library of READY_SET) {
    const { name } = library;
    const main = await buildMain(root, require, name, plugins);
    const subpaths = await buildSubpaths(root, require, library, main.exports, plugins);
    const base = fileBase(name);
    await writeFile(join(outDir, `${base}.txt`), main.source);
    if (subpaths) await writeFile(join(outDir, `${base}.subpaths.txt`), JSON.stringify(subpaths));
    entries.push({ name, base, version: versions[name], main, subpaths, description: library.description });
  }

  const lines = [
    "// Generated by scripts/build-libraries.mjs from the READY_SET there. Do not edit.",
    'import type { ReadyPackage } from "../packages/ready-set";',
  ];
  entries.forEach(({ base, subpaths }, at) => {
    lines.push(`import main${at} from "./libraries/${base}.txt";`);
    if (subpaths) lines.push(`import subpaths${at} from "./libraries/${base}.subpaths.txt";`);
  });
  lines.push(`export const STAMP = "${stamp}";`);
  lines.push("export const READY_SET: readonly ReadyPackage[] = [");
  entries.forEach(({ name, version, description, main, subpaths }, at) => {
    const fields = [
      `name: ${JSON.stringify(name)}`,
      `version: ${JSON.stringify(version)}`,
      `description: ${JSON.stringify(description)}`,
      `source: main${at}`,
      `exports: ${JSON.stringify(main.exports)}`,
      ...(subpaths ? [`subpaths: subpaths${at}`, `subpathCount: ${Object.keys(subpaths.entries).length}`] : []),
    ];
    lines.push(`  { ${fields.join(", ")} },`);
  });
  lines.push("];", "");
  await writeFile(index, lines.join("\n"));

  let raw = 0;
  for (const file of await readdir(outDir)) raw += (await readFile(join(outDir, file))).length;
  console.log(`ready set: ${entries.length} packages, ${raw} bytes of modules`);
  return stamp;
}

/** Every specifier of the ready set (packages and subpaths), from the built subpath tables in `outDir`. */
export async function readySpecifiers(outDir) {
  const specifiers = READY_SET.map((library) => library.name);
  for (const file of await readdir(outDir)) {
    if (!file.endsWith(".subpaths.txt")) continue;
    specifiers.push(...Object.keys(JSON.parse(await readFile(join(outDir, file), "utf8")).entries));
  }
  return specifiers;
}

/** The main entry as one module; a CommonJS entry gets its `module.exports` keys as named exports. */
async function buildMain(root, require, name, plugins) {
  const probe = await build({ ...common, entryPoints: [name], absWorkingDir: root, outdir: "out", plugins });
  const format = entryFormat(probe.metafile);
  if (format !== "cjs") return { source: probe.outputFiles[0].text, exports: outputExports(probe.metafile) };
  const keys = Object.keys(require(name));
  const result = await build({
    ...common,
    stdin: { contents: cjsWrapper(name, keys), resolveDir: root, loader: "js" },
    absWorkingDir: root,
    outdir: "out",
    plugins,
  });
  return { source: result.outputFiles[0].text, exports: outputExports(result.metafile) };
}

/**
 * `{ entries: { specifier: { module, exports } }, modules: { path: { source, imports } } }` for the
 * package's subpaths, or undefined when it has none. Module paths are relative to `libraries/`.
 */
async function buildSubpaths(root, require, library, mainExports, plugins) {
  const { name } = library;
  const specifiers = (await subpathsOf(root, library)).filter(
    (specifier) => !library.skip?.some((re) => re.test(specifier)),
  );
  if (specifiers.length === 0) return undefined;
  const mainModule = `${name}.js`;
  // Node's `import` conditions, as for the subpaths below: one instance of each module to compare.
  const main = await import(name);
  const byValue = new Map();
  for (const key of mainExports) if (key in main && !byValue.has(main[key])) byValue.set(main[key], key);

  const entries = {};
  const modules = {};
  const standalone = [];
  for (const specifier of specifiers) {
    let sub;
    try {
      sub = await import(specifier);
    } catch {
      standalone.push(specifier);
      continue;
    }
    const keys = Object.keys(sub).filter((key) => key !== "module.exports");
    const aliases = keys.map((key) => [key, byValue.get(sub[key])]);
    if (keys.length === 0 || aliases.some(([, target]) => target === undefined)) {
      standalone.push(specifier);
      continue;
    }
    const module = `${specifier.replace(/\.js$/, "")}.js`;
    const from = relativeImport(module, mainModule);
    const names = aliases.map(([key, target]) => (key === target ? key : `${target} as ${key}`));
    modules[module] = { source: `export{${names.join(",")}}from"${from}";`, imports: [mainModule] };
    entries[specifier] = { module, exports: keys.sort() };
  }
  if (standalone.length > 0) await bundleStandalone(root, require, name, standalone, { entries, modules }, plugins);
  // `lodash-es/chunk` and `lodash-es/chunk.js` both name the file.
  for (const specifier of Object.keys(entries)) {
    if (specifier.endsWith(".js")) {
      const bare = specifier.slice(0, -3);
      entries[bare] ??= entries[specifier];
    }
  }
  return { entries, modules };
}

/** Bundles the subpaths that are not re-exports of the main entry, splitting shared code into chunks. */
async function bundleStandalone(root, require, name, specifiers, { entries, modules }, plugins) {
  // A placeholder for the main module's path, replaced per output file below.
  const MAIN = "__functions_do_main__";
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const self = {
    name: "own-main",
    setup(builder) {
      // The package's own name is its main module, loaded beside: through an ES module proxy, so a
      // CommonJS `require` of it works too.
      builder.onResolve({ filter: new RegExp(`^${escaped}$`) }, (args) =>
        args.kind === "entry-point" || args.namespace === "proxy" ? undefined : { path: name, namespace: "proxy" },
      );
      builder.onResolve({ filter: /^__functions_do_main__$/ }, () => ({ path: MAIN, external: true }));
      builder.onLoad({ filter: /.*/, namespace: "proxy" }, () => ({
        contents: `export * from "${MAIN}"; export { default } from "${MAIN}";`,
        loader: "js",
      }));
      builder.onResolve({ filter: /^wrapper:/ }, (args) => ({ path: args.path.slice(8), namespace: "wrapper" }));
      builder.onLoad({ filter: /.*/, namespace: "wrapper" }, (args) => ({
        contents: cjsWrapper(args.path, Object.keys(require(args.path))),
        loader: "js",
        resolveDir: root,
      }));
    },
  };
  const out = (specifier) => specifier.slice(name.length + 1).replace(/\.js$/, "");
  const options = {
    ...common,
    splitting: true,
    absWorkingDir: root,
    outdir: "/libraries",
    chunkNames: "chunks/[hash]",
    plugins: [self, ...plugins],
  };
  const probe = await build({
    ...options,
    entryPoints: specifiers.map((specifier) => ({ in: specifier, out: out(specifier) })),
  });
  const cjs = new Set();
  for (const [path, output] of Object.entries(probe.metafile.outputs)) {
    if (output.entryPoint && probe.metafile.inputs[output.entryPoint]?.format === "cjs") {
      cjs.add(path.replace(/^.*?libraries\//, ""));
    }
  }
  const result = await build({
    ...options,
    entryPoints: specifiers.map((specifier) => {
      const wrapped = cjs.has(`${out(specifier)}.js`);
      return { in: wrapped ? `wrapper:${specifier}` : specifier, out: out(specifier) };
    }),
  });
  // Metafile paths are relative to the working directory: key them by their path under the outdir.
  const outputs = new Map(
    Object.entries(result.metafile.outputs).map(([path, output]) => [path.replace(/^.*?libraries\//, ""), output]),
  );
  for (const file of result.outputFiles) {
    const local = file.path.replace(/^\/libraries\//, "");
    const module = `${name}/${local}`;
    const meta = outputs.get(local);
    const from = relativeImport(module, `${name}.js`);
    const source = file.text.replaceAll(JSON.stringify(MAIN), JSON.stringify(from));
    const imports = (meta?.imports ?? []).map((entry) =>
      entry.path === MAIN ? `${name}.js` : posix.join(name, entry.path.replace(/^.*?libraries\//, "")),
    );
    modules[module] = { source, imports: [...new Set(imports)] };
    if (meta?.entryPoint) {
      const specifier = specifiers.find((candidate) => `${out(candidate)}.js` === local);
      if (specifier) entries[specifier] = { module, exports: [...meta.exports].sort() };
    }
  }
}

/** The package's subpath specifiers: its `exports` keys, or the files its `files` globs match. */
async function subpathsOf(root, library) {
  const { name } = library;
  const pkg = await packageJson(root, name);
  if (library.files) {
    const found = [];
    for (const glob of library.files) {
      const dir = posix.dirname(glob);
      const pattern = new RegExp(`^${posix.basename(glob).replace(/[.]/g, "\\.").replace("*", "[^/]*")}$`);
      const files = await readdir(join(root, "node_modules", name, dir));
      for (const file of files.sort()) {
        // `_name.js` files are lodash's internals; the main entry is the package itself.
        if (!pattern.test(file) || file.startsWith("_") || file.endsWith(".d.ts")) continue;
        const path = dir === "." ? file : `${dir}/${file}`;
        if (path === (pkg.main ?? "index.js").replace(/^\.\//, "")) continue;
        found.push(`${name}/${path}`);
      }
    }
    return found;
  }
  if (!pkg.exports || typeof pkg.exports !== "object" || Array.isArray(pkg.exports)) return [];
  return Object.keys(pkg.exports)
    .filter((key) => key.startsWith("./") && key !== "./package.json" && !key.includes("*") && !key.endsWith("/"))
    .filter((key) => !/\.(json|d\.ts|cjs)$/.test(key) && !key.startsWith("./bin/"))
    .map((key) => `${name}/${key.slice(2)}`);
}

/** An ES module whose exports are a CommonJS module's: `default` and each key that can be a name. */
function cjsWrapper(specifier, keys) {
  const names = keys.filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && !RESERVED.has(key));
  return [
    `const m = require(${JSON.stringify(specifier)});`,
    // A module compiled from ES modules (`__esModule`) has its default export at `.default`, as bundlers read it.
    "export default m && m.__esModule && 'default' in m ? m.default : m;",
    ...(names.length > 0 ? [`export const { ${names.join(", ")} } = m;`] : []),
  ].join("\n");
}

function entryFormat(metafile) {
  const [output] = Object.values(metafile.outputs);
  return output?.entryPoint ? metafile.inputs[output.entryPoint]?.format : undefined;
}

function outputExports(metafile) {
  const [output] = Object.values(metafile.outputs);
  return [...(output?.exports ?? [])].sort();
}

/** The specifier `from` (a module path) imports `to` by, relative. */
function relativeImport(from, to) {
  const path = posix.relative(posix.dirname(from), to);
  return path.startsWith(".") ? path : `./${path}`;
}

function fileBase(name) {
  return name.replace(/^@/, "").replace(/\//g, "__");
}

async function packageJson(root, name) {
  return JSON.parse(await readFile(join(root, "node_modules", name, "package.json"), "utf8"));
}
