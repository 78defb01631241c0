/**
 * What the MCP `execute` tool answers a model: the execution as structured content with long parts
 * cut explicitly (a hint says how to get less), and a short text summary of it.
 */

/** Characters of the text summary a model reads. */
export const MAX_SUMMARY_CHARS = 8_000;
/** JSON bytes of a result kept in structuredContent; a longer result is replaced by a preview. */
export const MAX_STRUCTURED_RESULT_BYTES = 32 * 1024;
/** Log entries kept in the answer. */
export const MAX_LOG_ENTRIES = 100;

export type Structured = Record<string, unknown> & {
  ok?: unknown;
  result?: unknown;
  error?: Record<string, unknown>;
  logs?: { level: string; message: string }[];
  calls?: { name: string; ms: number; ok: boolean }[];
  truncated?: { result?: { bytes: number; hint: string }; logs?: { total: number; hint: string } };
};

/** The execution with long parts cut and a hint saying so. */
export function forModel(execution: Record<string, unknown>): Structured {
  const structured: Structured = { ...execution };
  const truncated: NonNullable<Structured["truncated"]> = {};
  if ("result" in structured) {
    const json = JSON.stringify(structured.result) ?? "";
    const bytes = new TextEncoder().encode(json).byteLength;
    if (bytes > MAX_STRUCTURED_RESULT_BYTES) {
      structured.result = `${json.slice(0, 2000)}…`;
      truncated.result = {
        bytes,
        hint: `The result is ${bytes} bytes of JSON; only its start is shown. Return less: filter, aggregate or page it.`,
      };
    }
  }
  const logs = Array.isArray(structured.logs) ? structured.logs : [];
  if (logs.length > MAX_LOG_ENTRIES) {
    structured.logs = [...logs.slice(0, MAX_LOG_ENTRIES / 2), ...logs.slice(-MAX_LOG_ENTRIES / 2)];
    truncated.logs = {
      total: logs.length,
      hint: `${logs.length} log entries; the first and last ${MAX_LOG_ENTRIES / 2} are shown. Log less, or return the data instead.`,
    };
  }
  if (truncated.result || truncated.logs) structured.truncated = truncated;
  return structured;
}

/** A few lines a model can act on: outcome, result or located error with hint, logs, calls. */
export function summarize(structured: Structured): string {
  const lines: string[] = [];
  const error = structured.error;
  if (structured.ok === true) {
    lines.push("ok");
    if ("result" in structured) lines.push(`result: ${JSON.stringify(structured.result, null, 2)}`);
    else lines.push("result: undefined");
  } else if (error) {
    const at = typeof error.line === "number" ? ` at line ${error.line}, column ${String(error.column)}` : "";
    lines.push(`${String(error.kind)} error${at}: ${String(error.name)}: ${String(error.message)}`);
    if (typeof error.frame === "string") lines.push(error.frame);
    if (typeof error.hint === "string") lines.push(`hint: ${error.hint}`);
  }
  if (structured.truncated?.result) lines.push(`(result cut: ${structured.truncated.result.hint})`);
  const logs = structured.logs ?? [];
  if (logs.length > 0) {
    lines.push(`logs (${structured.truncated?.logs?.total ?? logs.length}):`);
    for (const log of logs) lines.push(`[${log.level}] ${log.message}`);
    if (structured.truncated?.logs) lines.push(`(logs cut: ${structured.truncated.logs.hint})`);
  }
  const calls = structured.calls ?? [];
  if (calls.length > 0)
    lines.push(`calls: ${calls.map((call) => `${call.name} ${call.ok ? "ok" : "failed"}`).join(", ")}`);
  const text = lines.join("\n");
  if (text.length <= MAX_SUMMARY_CHARS) return text;
  return `${text.slice(0, MAX_SUMMARY_CHARS)}\n… (summary cut at ${MAX_SUMMARY_CHARS} characters; the full answer is in structuredContent)`;
}
