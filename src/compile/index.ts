/**
 * The compile pipeline: chains the stages, maps diagnostics back to the submitted text, and
 * keeps results in a byte-bounded cache keyed by the unit id. Concurrent requests for the same
 * id share one compilation.
 *
 *   fence → strip-types → parse → shape → resolve → instrument + wrap → emit → bundle
 */

import type { RunMode } from "../../shared/protocol";
import { type LinkedPackage, type PackageLinker, packagedUnitId, preparePackages } from "../packages/linker";
import { type BundleFiles, bundleModule, FILES_NAMESPACE, SOURCE_NAME } from "./bundle";
import { ByteLru } from "./cache";
import type { Diagnostic } from "./diagnostic";
import { applyEdits, escapeLoneSurrogates } from "./emit";
import { linkExternals } from "./externals";
import { normalizeLineEndings, stripFence } from "./fence";
import { isRelativeSpecifier } from "./files";
import { type UnitKey, unitId } from "./hash";
import type { CompileInput, Language } from "./input";
import { instrumentEdits } from "./instrument";
import { providedModule } from "./modules";
import { generatedNames } from "./names";
import { type PositionStep, PositionTrace } from "./positions";
import { type PreparedFile, prepareFile } from "./prepare-file";
import { resolveImports } from "./resolve";
import { decideShape, type ShapeKind } from "./shape";
import type { UnitStore } from "./store";
import { readProgram } from "./strip-types";
import { wrapEdits } from "./wrap";

export interface CompiledUnit {
  id: string;
  kind: ShapeKind;
  mode: RunMode;
  /** The language the code was read as (a ```ts fence makes it TypeScript). */
  language: Language;
  /** The module loaded as `unit.js` next to the prelude. */
  code: string;
  /** Ready-set libraries it imports, loaded next to it (their specifiers; usually none). */
  libraries: string[];
  /** Registry packages it imports (src/packages), each at the version it was linked to. */
  packages?: LinkedPackage[];
  /** From positions in `code` to positions in the submitted text. */
  trace: PositionTrace;
  /** A multi-file unit: its main module's path, other files' texts and WebAssembly modules. */
  files?: {
    main: string;
    sources: Record<string, string>;
    /** Loaded next to `unit.js` as compiled modules, by path. */
    wasm: Record<string, Uint8Array>;
  };
}

export type CompileResult =
  | { ok: true; unit: CompiledUnit }
  /** Diagnostics are located in the submitted text. */
  | { ok: false; id: string; language: Language; diagnostics: Diagnostic[] };

/**
 * A compile result as `compile` answers it: with whether it came from a cache, how long it took,
 * and the submitted text with normalised line endings (`source`), in whose coordinates every
 * diagnostic and traced position is, so callers never normalise it again to report errors;
 * `packageModules`: the unit's registry packages' sources, by sandbox module path (loaded beside it).
 */
export type CompileOutcome = CompileResult & { cached: boolean; compileMs: number; source: string } & PackageModules;
type PackageModules = { packageModules?: Record<string, string> };

export interface CompilerOptions {
  /** Byte budget of the compile cache. */
  cacheBytes: number;
  /** Identifies this compiler, prelude and sandbox configuration; part of every id. */
  build: string;
  /** The second level: a durable store shared by host isolates and kept across restarts. */
  store?: UnitStore;
  /** Links imports of registry packages; without it only the service's modules and the ready set resolve. */
  packages?: PackageLinker;
}

export interface CompileOptions {
  /**
   * Write the result to the second-level store right away (a stored function: it is meant to be
   * run again, after restarts too). Otherwise a result is written only when it is asked for again
   * while still in the first level: a one-off snippet never reaches the store. Locally the Cache
   * API lives in the same workerd process as the host and keeps ~50 KiB per entry that nothing
   * evicts (docs/figures.md, "Memory"), so writing every distinct snippet grew host memory without bound.
   */
  persist?: boolean;
  /** The caller's tenant: the package policy decides per tenant what may be fetched. */
  tenant?: string;
}

interface CacheEntry {
  result: CompileResult;
  /** Already in the store (read from it, or written). */
  persisted: boolean;
}

export class Compiler {
  private readonly cache: ByteLru<CacheEntry>;
  private readonly inflight = new Map<string, Promise<{ result: CompileResult; stored: boolean }>>();
  /** How many compilations ran (results from either cache level not counted). */
  compilations = 0;
  /** The latest write to the store, for tests that need it finished. */
  writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: CompilerOptions) {
    this.cache = new ByteLru(options.cacheBytes, (entry) => sizeOf(entry.result));
  }

  async compile(
    input: CompileInput,
    network: UnitKey["network"],
    { persist = false, tenant = "local" }: CompileOptions = {},
  ): Promise<CompileOutcome> {
    const started = performance.now();
    const id = await unitId({ ...input, network, build: this.options.build });
    const { result, cached } = await this.lookup(id, input, tenant, persist);
    const outcome = { ...result, cached, compileMs: 0, source: submitted(input) };
    // A unit that imports registry packages is checked on every use (src/packages/prepare-unit.ts).
    const prepared = await preparePackages(this.options.packages, outcome, tenant, async () => {
      this.compilations++;
      const fresh = await compileUnit(id, input, this.options.packages && { linker: this.options.packages, tenant });
      if (fresh.ok) this.cache.set(id, { result: fresh, persisted: false });
      return fresh;
    });
    return { ...prepared, compileMs: performance.now() - started };
  }

  private async lookup(
    id: string,
    input: CompileInput,
    tenant: string,
    persist: boolean,
  ): Promise<{ result: CompileResult; cached: boolean }> {
    const hit = this.cache.get(id);
    if (hit) {
      // Asked for again: worth keeping for other isolates and the next start.
      if (!hit.persisted) this.persist(id, hit);
      return { result: hit.result, cached: true };
    }

    // Single flight: concurrent requests for one id share one store lookup and one compilation.
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = (async () => {
        const found = await this.options.store?.get(id).catch(() => undefined);
        if (found) return { result: found, stored: true };
        this.compilations++;
        return {
          result: await compileUnit(id, input, this.options.packages && { linker: this.options.packages, tenant }),
          stored: false,
        };
      })().finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    const { result, stored } = await pending;
    // A package problem depends on the registry, the policy and the tenant: never kept.
    if (!result.ok && result.diagnostics.some((diagnostic) => diagnostic.package)) return { result, cached: false };
    const entry = this.cache.get(id) ?? { result, persisted: stored };
    this.cache.set(id, entry);
    if (persist && !entry.persisted) this.persist(id, entry);
    return { result, cached: stored };
  }

  /**
   * Writes the entry to the store without holding up the request (the write finishes while the
   * unit runs); a write that fails or is cut short costs a later recompile.
   */
  private persist(id: string, entry: CacheEntry): void {
    const { store } = this.options;
    if (!store) return;
    entry.persisted = true;
    this.writing = store.put(id, entry.result).catch(() => undefined);
  }

  get cacheStats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes, maxBytes: this.options.cacheBytes };
  }
}

/** The main module's text as diagnostics and traces locate in it. */
function submitted(input: CompileInput): string {
  return normalizeLineEndings(input.code);
}

/** Runs every stage on one input. Exported for tests; use `Compiler` to get caching. */
export async function compileUnit(
  id: string,
  input: CompileInput,
  linking?: { linker: PackageLinker; tenant: string },
): Promise<CompileResult> {
  const unfenced = stripFence(normalizeLineEndings(input.code));
  const language: Language = unfenced.typescriptFence ? "typescript" : input.language;
  const steps: PositionStep[] = unfenced.lineOffset > 0 ? [{ type: "shift", lines: unfenced.lineOffset }] : [];
  const failed = (diagnostics: Diagnostic[]): CompileResult => ({
    ok: false,
    id,
    language,
    diagnostics: locate(diagnostics, steps),
  });
  const modules = input.modules;

  // Every submitted file is checked before the main module, so a broken file is named even when unused.
  const prepared: Record<string, PreparedFile> = {};
  if (modules) {
    for (const [path, bytes] of Object.entries(modules.wasm)) {
      const problem = wasmProblem(bytes);
      if (problem) return failed([{ message: `"${path}" is not a valid WebAssembly module: ${problem}`, file: path }]);
    }
    for (const [path, source] of Object.entries(modules.sources)) {
      const file = await prepareFile(path, source);
      if (!file.ok) return failed(file.diagnostics);
      prepared[path] = file.file;
    }
  }

  const read = await readProgram(unfenced.code, language === "typescript", steps);
  if (!read.ok) return failed(read.diagnostics);
  const { js, program } = read.value;

  const shape = decideShape(program);
  const linked = linking && (await linking.linker.link(js, shape.requests, linking.tenant));
  if (linked && !linked.ok) return failed(linked.diagnostics);
  const imports = resolveImports(js, shape.requests, modules, linked?.modules);
  if (!imports.ok) return failed(imports.diagnostics);

  const names = generatedNames(js, program);
  const emitted = applyEdits(js, [...instrumentEdits(program, names), ...wrapEdits(js, shape, names)]);
  steps.push({ type: "map", map: emitted.map });

  let code = emitted.code;
  let fileTraces: Record<string, { path: string; trace: PositionTrace }> | undefined;
  const relative = modules !== undefined && shape.requests.some((request) => isRelativeSpecifier(request.specifier));
  const external = imports.value.length > 0 && !relative && linkExternals(code, linked?.modules);
  if (external) {
    code = external.code;
    steps.push({ type: "map", map: external.map });
  } else if (imports.value.length > 0 || relative) {
    const files: BundleFiles | undefined = modules && { modules, prepared };
    const bundled = await bundleModule(code, files, linked?.modules);
    if (!bundled.ok) return failed(bundled.diagnostics);
    code = bundled.value.code;
    steps.push({ type: "map", map: bundled.value.map, source: SOURCE_NAME });
    if (modules) {
      fileTraces = {};
      for (const [path, file] of Object.entries(prepared)) {
        fileTraces[`${FILES_NAMESPACE}:${path}`] = { path, trace: new PositionTrace(file.steps) };
      }
    }
  }
  return {
    ok: true,
    unit: {
      ...(await packagedUnitId(id, linked?.packages)),
      kind: shape.kind,
      mode: shape.mode,
      language,
      code: escapeLoneSurrogates(code),
      libraries: imports.value.filter((specifier) => providedModule(specifier)?.library),
      trace: new PositionTrace(steps, fileTraces),
      ...(modules && { files: { main: modules.main, sources: modules.sources, wasm: modules.wasm } }),
    },
  };
}

/** Why the bytes are not a WebAssembly module the sandbox can load, or undefined when they are. */
function wasmProblem(bytes: Uint8Array): string | undefined {
  if (bytes.byteLength < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    return "it does not start with the magic bytes \\0asm (was it sent as base64 of the binary .wasm, not of .wat text?)";
  }
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return "WebAssembly.validate rejected it";
  return undefined;
}

/** Maps diagnostics from the input of the failing stage (the output of `steps`) to the submitted text. */
function locate(diagnostics: Diagnostic[], steps: PositionStep[]): Diagnostic[] {
  const trace = new PositionTrace(steps);
  // Problems in other files are located in those files already.
  return diagnostics.map((diagnostic) =>
    diagnostic.file
      ? diagnostic
      : { ...diagnostic, position: diagnostic.position && trace.toSource(diagnostic.position) },
  );
}

/** Approximate bytes a cache entry holds: text counts twice (UTF-16), maps as their JSON. */
function sizeOf(result: CompileResult): number {
  if (!result.ok) return 256 + JSON.stringify(result.diagnostics).length * 2;
  const maps = result.unit.trace.steps.reduce(
    (total, step) => total + (step.type === "map" ? JSON.stringify(step.map).length : 16),
    0,
  );
  const files = result.unit.files;
  const fileBytes = files
    ? Object.values(files.sources).reduce((total, text) => total + text.length * 2, 0) +
      Object.values(files.wasm).reduce((total, bytes) => total + bytes.byteLength, 0)
    : 0;
  return 256 + (result.unit.code.length + maps) * 2 + fileBytes;
}
