/** A small client for the service under test (started by global-setup.ts). */

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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json, headers: response.headers };
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
