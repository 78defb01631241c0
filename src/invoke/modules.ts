/**
 * `modules`: several files sent at once (a main module, its relative imports, JSON and WebAssembly),
 * validated at the boundary like the other fields of a request.
 */

import { MODULE_LIMITS, type ModuleLimits } from "../../shared/limits";
import { normalizePath } from "../compile/files";
import type { SubmittedModules } from "../compile/input";
import { describeType, ServiceError } from "../errors";
import { onTier, type RequestLimits } from "./limits";

/**
 * `modules`: `{ "<relative path>": "<text>" | "<base64 of a .wasm>" }` and `mainModule` (default
 * `index.ts`, else `index.js`). Source files count against `codeBytes` together; each `.wasm` is
 * decoded, checked (`\0asm`, `WebAssembly.validate`) and bounded by `MODULE_LIMITS`.
 */
export function parseModules(
  modules: unknown,
  mainModule: unknown,
  limits: RequestLimits,
  moduleLimits: ModuleLimits = MODULE_LIMITS,
): { code: string; modules: SubmittedModules; warnings: string[] } {
  if (typeof modules !== "object" || modules === null || Array.isArray(modules)) {
    throw invalid(
      `\`modules\` must be an object of file path to contents, e.g. {"index.ts": "export default 1"}, got ${describeType(modules)}.`,
    );
  }
  const entries = Object.entries(modules as Record<string, unknown>);
  if (entries.length === 0) throw invalid("`modules` is empty; it needs at least the main module.");
  if (entries.length > moduleLimits.files) {
    throw invalid(`\`modules\` has ${entries.length} files; the limit is ${moduleLimits.files}.`);
  }
  const sources: Record<string, string> = {};
  const wasm: Record<string, Uint8Array> = {};
  const warnings: string[] = [];
  let sourceBytes = 0;
  const encoder = new TextEncoder();
  for (const [name, contents] of entries) {
    const normalised = normalizePath(name);
    if (!normalised.ok) throw invalid(`The path ${JSON.stringify(name)} in \`modules\` ${normalised.reason}.`);
    const path = normalised.path;
    if (Object.hasOwn(sources, path) || Object.hasOwn(wasm, path)) {
      throw invalid(`\`modules\` names the file "${path}" twice (as ${JSON.stringify(name)}).`);
    }
    // Raw bytes come only from a multipart upload (read-multipart.ts), and only for `.wasm` files.
    const raw = contents instanceof Uint8Array && path.endsWith(".wasm");
    if (typeof contents !== "string" && !raw) {
      throw invalid(`\`modules["${name}"]\` must be a string, got ${describeType(contents)}.`);
    }
    if (path.endsWith(".wasm")) {
      const bytes =
        contents instanceof Uint8Array
          ? checkWasmSize(path, contents, moduleLimits)
          : decodeWasm(path, contents, moduleLimits);
      if (bytes.byteLength > moduleLimits.wasmWarnBytes) {
        warnings.push(
          `"${path}" is ${bytes.byteLength} bytes of WebAssembly; above ${moduleLimits.wasmWarnBytes} bytes, loading it slows every cold start of the sandbox.`,
        );
      }
      wasm[path] = bytes;
      continue;
    }
    if (typeof contents !== "string") continue; // unreachable: raw bytes are `.wasm` only
    sourceBytes += contents.length * 3 > limits.codeBytes ? encoder.encode(contents).byteLength : contents.length;
    if (sourceBytes > limits.codeBytes) {
      throw new ServiceError(
        "payload_too_large",
        `The source files in \`modules\` are more than ${limits.codeBytes} bytes together; the limit is ${limits.codeBytes} bytes${onTier(limits)}.`,
      );
    }
    sources[path] = contents;
  }
  let main: string;
  if (mainModule === undefined) {
    const fallback = ["index.ts", "index.js"].find((path) => Object.hasOwn(sources, path));
    if (!fallback) {
      throw invalid(
        `\`mainModule\` is required when \`modules\` has no "index.ts" or "index.js"; it has: ${Object.keys(modules)
          .slice(0, 10)
          .map((path) => JSON.stringify(path))
          .join(", ")}.`,
      );
    }
    main = fallback;
  } else {
    if (typeof mainModule !== "string")
      throw invalid(`\`mainModule\` must be a string, got ${describeType(mainModule)}.`);
    const normalised = normalizePath(mainModule);
    if (!normalised.ok) throw invalid(`\`mainModule\` ${JSON.stringify(mainModule)} ${normalised.reason}.`);
    main = normalised.path;
    if (!Object.hasOwn(sources, main)) {
      throw invalid(
        Object.hasOwn(wasm, main)
          ? `\`mainModule\` must be a .ts, .js or .mjs file, got "${main}".`
          : `\`mainModule\` is "${main}", which is not one of the files in \`modules\`.`,
      );
    }
  }
  if (main.endsWith(".json")) throw invalid(`\`mainModule\` must be a .ts, .js or .mjs file, got "${main}".`);
  const code = sources[main] as string;
  delete sources[main];
  return { code, modules: { main, sources, wasm }, warnings };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkWasmSize(path: string, bytes: Uint8Array, moduleLimits: ModuleLimits): Uint8Array {
  if (bytes.byteLength > moduleLimits.wasmBytes) throw wasmTooLarge(path, bytes.byteLength, moduleLimits);
  return bytes;
}

function wasmTooLarge(path: string, size: number, moduleLimits: ModuleLimits): ServiceError {
  return new ServiceError(
    "payload_too_large",
    `"${path}" is ${size} bytes of WebAssembly; the limit is ${moduleLimits.wasmBytes} bytes per file.`,
  );
}

function decodeWasm(path: string, contents: string, moduleLimits: ModuleLimits): Uint8Array {
  const text = contents.replace(/\s+/g, "");
  const size = Math.floor((text.length * 3) / 4) - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);
  if (size > moduleLimits.wasmBytes) throw wasmTooLarge(path, size, moduleLimits);
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw invalid(`\`modules["${path}"]\` must be the .wasm file's bytes in base64 (standard alphabet, padded).`);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function invalid(message: string): ServiceError {
  return new ServiceError("invalid_request", message);
}
