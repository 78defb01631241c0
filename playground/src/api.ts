/**
 * The service's HTTP API as the page uses it. Every request carries the optional API key from the
 * key field; a 401 becomes an `AuthError` so the page can point at that field. `/execute` is read
 * as server-sent events over fetch (EventSource cannot POST), so logs show while the run goes on.
 */

export type Language = "typescript" | "javascript";

export interface LogEntry {
  level: string;
  message: string;
  ms: number;
}

export interface ExecutionError {
  kind: string;
  name: string;
  message: string;
  line?: number;
  column?: number;
  hint?: string;
  stack?: string;
}

export interface Execution {
  ok: boolean;
  result?: unknown;
  error?: ExecutionError;
  logs: LogEntry[];
  id: string;
  cached: boolean;
  timings: { compileMs: number; runMs: number; totalMs: number };
}

export interface Diagnostic {
  severity: "error" | "warning";
  source: "syntax" | "types";
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  hint?: string;
}

export interface Snippet {
  id: string;
  code: string;
  language: Language;
  args: unknown;
}

export interface ExecuteRequest {
  code: string;
  language: Language;
  args: unknown;
  timeoutMs?: number;
}

/** A 401: the page needs (another) API key. */
export class AuthError extends Error {}

/** Any other non-2xx answer, carrying the service's own `error.message`. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where the key field saves the key, so it survives reloads. */
export const API_KEY_STORAGE = "functions.do/api-key";

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = localStorage.getItem(API_KEY_STORAGE)?.trim();
  return { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

async function failure(response: Response): Promise<Error> {
  if (response.status === 401) {
    return new AuthError("The service needs an API key: enter one in the “API key” field (top right).");
  }
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return new RequestError(response.status, body?.error?.message ?? `The service answered ${response.status}.`);
}

async function send<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: headers() });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** Runs code, calling `onLog` for each log line as it arrives; resolves with the whole answer. */
export async function execute(
  request: ExecuteRequest,
  onLog: (log: LogEntry) => void,
  signal?: AbortSignal,
): Promise<Execution> {
  const response = await fetch("/execute", {
    method: "POST",
    headers: headers({ accept: "text/event-stream" }),
    body: JSON.stringify(request),
    signal,
  });
  if (!response.ok) throw await failure(response);
  if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream")) {
    return (await response.json()) as Execution;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replaceAll("\r\n", "\n");
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event?.type === "log") onLog(JSON.parse(event.data) as LogEntry);
      else if (event) return JSON.parse(event.data) as Execution; // `result` or `error`: the last event
      end = buffer.indexOf("\n\n");
    }
  }
  throw new RequestError(0, "The stream ended before the run did.");
}

/** One server-sent event block; comments (`: stream open`) give `undefined`. */
function parseEvent(block: string): { type: string; data: string } | undefined {
  let type = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return data.length ? { type, data: data.join("\n") } : undefined;
}

/** Syntax and type diagnostics of `code`, without running it. */
export function compile(
  code: string,
  language: Language,
  signal?: AbortSignal,
): Promise<{ ok: boolean; diagnostics: Diagnostic[] }> {
  return send("/compile", { method: "POST", body: JSON.stringify({ code, language, typecheck: true }), signal });
}

/** The declarations of `$` and `args` (TypeScript text). */
export async function fetchTypes(): Promise<string> {
  const response = await fetch("/types", { headers: headers() });
  if (!response.ok) throw await failure(response);
  return response.text();
}

export function shareSnippet(snippet: Omit<Snippet, "id">): Promise<{ id: string; url: string }> {
  return send("/snippets", { method: "POST", body: JSON.stringify(snippet) });
}

export function loadSnippet(id: string): Promise<Snippet> {
  return send(`/snippets/${encodeURIComponent(id)}`);
}
