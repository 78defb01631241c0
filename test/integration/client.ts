/** A small client for the service under test (started by global-setup.ts). */

import { request as httpRequest } from "node:http";
import { expect, inject } from "vitest";

export interface ExecutionError {
  kind: "syntax" | "runtime" | "timeout" | "resource";
  name: string;
  message: string;
  line?: number;
  column?: number;
  stack?: string;
  hint?: string;
  frame?: string;
  [property: string]: unknown;
}

export interface Execution {
  ok: boolean;
  result?: unknown;
  error?: ExecutionError;
  logs: { level: string; message: string; ms: number }[];
  calls: { name: string; ms: number; ok: boolean }[];
  id: string;
  cached: boolean;
  timings: { compileMs: number; runMs: number; totalMs: number };
}

/** The JSON value of a response text, or undefined when it is not JSON. */
export function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function baseUrl(): string {
  return inject("baseUrl");
}

/** Sends a raw body to POST /execute. */
export async function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const response = await fetch(`${baseUrl()}/execute`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  const json = parsedJson(text);
  return { status: response.status, json: json === undefined ? text : json, headers: response.headers };
}

/** Runs a request that must be well formed: asserts 200 and returns the execution. */
export async function execute(request: Record<string, unknown>): Promise<Execution> {
  const { status, json } = await post(JSON.stringify(request));
  expect(status, JSON.stringify(json)).toBe(200);
  return json as Execution;
}

/** Runs `code` and returns its result, failing the test with the error when it did not succeed. */
export async function resultOf(code: string, request: Record<string, unknown> = {}): Promise<unknown> {
  const execution = await execute({ code, ...request });
  expect(execution.error, JSON.stringify(execution.error)).toBeUndefined();
  expect(execution.ok).toBe(true);
  return execution.result;
}

/** Runs `code` expecting failure; returns the error. */
export async function errorOf(code: string, request: Record<string, unknown> = {}): Promise<ExecutionError> {
  const execution = await execute({ code, ...request });
  expect(execution.ok, JSON.stringify(execution.result)).toBe(false);
  if (!execution.error) throw new Error("failed execution without an error");
  return execution.error;
}

/** The service still answers: /health and a benign snippet. */
export async function expectHealthy(): Promise<void> {
  const health = await fetch(`${baseUrl()}/health`);
  expect(health.status).toBe(200);
  expect(await resultOf("return 6 * 7")).toBe(42);
}

/** A comment that makes otherwise equal code a distinct unit (a compile-cache miss). */
export function unique(): string {
  return `/* ${crypto.randomUUID()} */`;
}

/** How long the raw helpers below wait for an answer: a hang fails the test rather than the suite. */
const RAW_ANSWER_MS = 20_000;

export interface RawAnswer {
  status: number;
  text: string;
  /** The parsed body, or `undefined` when it is not JSON. */
  json: unknown;
}

/** POSTs raw bytes (or text, as UTF-8) to /execute with exactly the given headers: none are added. */
export async function sendRaw(
  body: Uint8Array | string | undefined,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response = await fetch(`${baseUrl()}/execute`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? new TextEncoder().encode(body) : body,
    signal: AbortSignal.timeout(RAW_ANSWER_MS),
  });
  const text = await response.text();
  return { status: response.status, text, json: parsedJson(text) };
}

/**
 * Streams up to `total` bytes of a JSON body to /execute with chunked encoding (no Content-Length)
 * on a connection of its own, stopping as soon as the response arrives. node:http, because fetch
 * fails the whole request when the server answers and closes before the body is sent. Status 0:
 * the connection was closed without an answer.
 */
export function streamChunked(total: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    let sent = 0;
    let answered = false;
    const options = { method: "POST", agent: false, headers: { "content-type": "application/json" } };
    const req = httpRequest(`${baseUrl()}/execute`, options, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        body += text;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(RAW_ANSWER_MS, () => req.destroy(new Error(`no answer within ${RAW_ANSWER_MS} ms`)));
    // The server may close the connection while the body is still being written.
    req.on("error", (error) => {
      if (answered) return;
      if ("code" in error && (error.code === "ECONNRESET" || error.code === "EPIPE")) resolve({ status: 0, body: "" });
      else reject(error);
    });
    req.write('{"code":"return 1","args":"');
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.byteLength;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end('"}');
    };
    pump();
  });
}
