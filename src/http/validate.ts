/**
 * Validates a `POST /execute` body at the boundary (API.md). Every rejection says which field,
 * what was expected and what was sent. Unknown fields are ignored, so clients can send newer ones.
 */

import { type ExecutionLimits, MODULE_LIMITS, type ModuleLimits } from "../../shared/limits";
import { normalizePath } from "../compile/files";
import { LANGUAGES, type Language, type SubmittedModules } from "../compile/input";
import { describeType, ServiceError } from "../errors";
import type { Tier } from "../tenancy/tiers";

export type NetworkPolicy = "none" | { allow: string[] };

export interface ExecuteRequest {
  code: string;
  language: Language;
  /** JSON text of `args` (`null` when absent), as the sandbox receives it. */
  args: string;
  timeoutMs: number;
  network: NetworkPolicy;
  /** A multi-file request: `code` is the main module's text. */
  modules?: SubmittedModules;
  /** Non-fatal notes for the response (`warnings`), e.g. a large WebAssembly file. */
  warnings?: string[];
}

const MAX_ALLOWED_HOSTS = 100;
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/;

/** Limits, and the tier that narrowed them (named in messages about them). */
export type RequestLimits = ExecutionLimits & { tier?: string };

/** The limits a caller's tier allows: never more than the service's own. */
export function limitsForTier(limits: ExecutionLimits, tier: Tier): RequestLimits {
  return {
    ...limits,
    tier: tier.name,
    codeBytes: Math.min(limits.codeBytes, tier.codeBytes),
    maxTimeoutMs: Math.min(limits.maxTimeoutMs, tier.maxTimeoutMs),
    defaultTimeoutMs: Math.min(limits.defaultTimeoutMs, tier.maxTimeoutMs),
  };
}

export function parseExecuteRequest(body: unknown, limits: RequestLimits): ExecuteRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid(`The request body must be a JSON object, got ${describeType(body)}.`);
  }
  const fields = body as Record<string, unknown>;
  if (fields.modules !== undefined) {
    if (fields.code !== undefined) {
      throw invalid("Send either `code` (one snippet) or `modules` (several files), not both.");
    }
    const parsed = parseModules(fields.modules, fields.mainModule, limits);
    return {
      code: parsed.code,
      language: parsed.modules.main.endsWith(".ts") ? "typescript" : "javascript",
      args: JSON.stringify(fields.args === undefined ? null : fields.args),
      timeoutMs: parseTimeout(fields.timeoutMs, limits),
      network: parseNetwork(fields.network),
      modules: parsed.modules,
      ...(parsed.warnings.length > 0 && { warnings: parsed.warnings }),
    };
  }
  if (fields.mainModule !== undefined) throw invalid("`mainModule` needs `modules`: the files it names one of.");
  return {
    code: parseCode(fields.code, limits),
    language: parseLanguage(fields.language),
    args: JSON.stringify(fields.args === undefined ? null : fields.args),
    timeoutMs: parseTimeout(fields.timeoutMs, limits),
    network: parseNetwork(fields.network),
  };
}

function parseCode(code: unknown, limits: RequestLimits): string {
  if (code === undefined) throw invalid('`code` is required: the snippet to run, e.g. {"code": "return 2 + 2"}.');
  if (typeof code !== "string") throw invalid(`\`code\` must be a string, got ${describeType(code)}.`);
  // Upper bound first: UTF-8 takes at most 3 bytes per UTF-16 unit, so most code skips the count.
  if (code.length * 3 > limits.codeBytes) {
    const bytes = new TextEncoder().encode(code).byteLength;
    if (bytes > limits.codeBytes) {
      throw new ServiceError(
        "payload_too_large",
        `\`code\` is ${bytes} bytes; the limit is ${limits.codeBytes} bytes${onTier(limits)}.`,
      );
    }
  }
  return code;
}

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

function parseLanguage(language: unknown): Language {
  if (language === undefined) return "typescript";
  if (typeof language === "string" && (LANGUAGES as readonly string[]).includes(language)) return language as Language;
  throw new ServiceError(
    "unsupported_language",
    `\`language\` must be one of ${LANGUAGES.map((name) => `"${name}"`).join(", ")}, got ${describeType(language)}.`,
  );
}

function parseTimeout(timeoutMs: unknown, limits: RequestLimits): number {
  if (timeoutMs === undefined) return limits.defaultTimeoutMs;
  if (
    typeof timeoutMs !== "number" ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > limits.maxTimeoutMs
  ) {
    throw invalid(
      `\`timeoutMs\` must be an integer from 1 to ${limits.maxTimeoutMs}${onTier(limits)}, got ${describeType(timeoutMs)}.`,
    );
  }
  return timeoutMs;
}

function parseNetwork(network: unknown): NetworkPolicy {
  if (network === undefined || network === "none") return "none";
  const expected = '`network` must be "none" or {"allow": ["host", ...]}';
  if (typeof network !== "object" || network === null || Array.isArray(network)) {
    throw invalid(`${expected}, got ${describeType(network)}.`);
  }
  const allow = (network as { allow?: unknown }).allow;
  if (!Array.isArray(allow)) throw invalid(`${expected}; \`allow\` must be an array, got ${describeType(allow)}.`);
  if (allow.length > MAX_ALLOWED_HOSTS) {
    throw invalid(`\`network.allow\` lists ${allow.length} hosts; the limit is ${MAX_ALLOWED_HOSTS}.`);
  }
  const hosts = new Set<string>();
  for (const entry of allow) {
    if (typeof entry !== "string")
      throw invalid(`\`network.allow\` entries must be strings, got ${describeType(entry)}.`);
    const host = entry.trim().toLowerCase();
    if (!HOST.test(host)) {
      throw invalid(
        `\`network.allow\` entries must be exact host names such as "api.example.com" (optionally with ":port"), got ${describeType(entry)}.`,
      );
    }
    const port = /:(\d+)$/.exec(host)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      throw invalid(`The port of \`network.allow\` entry ${JSON.stringify(entry)} must be 1..65535.`);
    }
    hosts.add(host);
  }
  // Sorted and de-duplicated: equal policies give equal unit ids.
  return hosts.size === 0 ? "none" : { allow: [...hosts].sort() };
}

function onTier(limits: RequestLimits): string {
  return limits.tier ? ` on the "${limits.tier}" tier` : "";
}

function invalid(message: string): ServiceError {
  return new ServiceError("invalid_request", message);
}
