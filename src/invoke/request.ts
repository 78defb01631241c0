/**
 * Validates the code fields of a request at the boundary (docs/api.md, "POST /execute"), whichever door
 * it came through: HTTP bodies, MCP tool arguments, RPC options. Every rejection says which field,
 * what was expected and what was sent. Unknown fields are ignored, so clients can send newer ones.
 */

import { LANGUAGES, type Language, type SubmittedModules } from "../compile/input";
import { describeType, ServiceError } from "../errors";
import { onTier, type RequestLimits } from "./limits";
import { parseModules } from "./modules";

export type NetworkPolicy = "none" | { allow: string[] };

/** The code of a request and how to run it, validated. */
export interface CodeRequest {
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

export function parseCodeRequest(body: unknown, limits: RequestLimits): CodeRequest {
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

export function parseCode(code: unknown, limits: RequestLimits): string {
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

function invalid(message: string): ServiceError {
  return new ServiceError("invalid_request", message);
}
