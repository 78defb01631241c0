/**
 * The hostile-code corpus (fixtures/hostile/, format in its README): reading the cases and their
 * headers, sending them, and judging what came back. hostile-corpus.test.ts runs them.
 */

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { parsedJson } from "./client";
import { TEST_CREDENTIAL } from "./stand-in";

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/hostile");
/** How long past its deadline a run may take to answer (docs/api.md: "a small margin"). */
const MARGIN_MS = 2_500;
const DEFAULT_TIMEOUT_MS = 5_000;
const KINDS = ["syntax", "runtime", "timeout", "resource"];
const RESPONSE_KEYS = ["ok", "logs", "calls", "id", "cached", "timings"];

/** What a run must look like; every field is optional and checked only when present. */
export interface Expectation {
  ok?: boolean | boolean[];
  result?: unknown;
  resultLength?: number;
  kind?: string | string[];
  name?: string | string[];
  message?: string;
  messageMatches?: string;
  line?: number | null;
  code?: string;
  logCount?: number;
  logBytesAtMost?: number;
  maxMs?: number;
  responseBytesAtMost?: number;
  responseBytesAtLeast?: number;
  exactKeys?: string[];
  /** `false`: the 200 body is not JSON at all. */
  json?: boolean;
  /** The request fails without an answer from the Worker: the runtime aborted. */
  crash?: boolean;
}

/** What a known failure does today: one outcome, or any of several when it varies from run to run. */
export type Current = Expectation | Expectation[];

export interface Step {
  /** Code to run; the case's own code when absent. */
  code?: string;
  request?: Record<string, unknown>;
  expect: Expectation;
  /** For a known failure: what this step does today. */
  current?: Current;
}

export interface Case {
  /** `<category>/<file>`. */
  label: string;
  code: string;
  request: Record<string, unknown>;
  /** JSON text of generated `args`, spliced into the body as is (Node's JSON.stringify recurses). */
  argsJson?: string;
  expect: Expectation;
  thens: Step[];
  knownFailure?: string;
  current?: Current;
}

export interface Observation {
  status: number;
  text: string;
  /** The parsed body, or `undefined` when it is not JSON. */
  json: unknown;
  ms: number;
  /** Set when no HTTP answer came back at all. */
  failure?: string;
}

export interface Target {
  url: string;
  standInOrigin: string;
}

const HEADER = /^\/\/ ([a-z-]+): (.*)$/;

/** Reads every case of the corpus, in a stable order. */
export function loadCorpus(): Case[] {
  const cases: Case[] = [];
  for (const category of readdirSync(CORPUS, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const file of readdirSync(join(CORPUS, category.name)).sort()) {
      if (!/\.(js|ts)$/.test(file)) continue;
      const label = `${category.name}/${file}`;
      cases.push(parseCase(label, readFileSync(join(CORPUS, category.name, file), "utf8")));
    }
  }
  return cases.sort((a, b) => a.label.localeCompare(b.label));
}

function parseCase(label: string, code: string): Case {
  const fields = new Map<string, string>();
  const thens: string[] = [];
  for (const line of code.split("\n")) {
    const match = HEADER.exec(line);
    if (!match) break;
    const [, key = "", value = ""] = match;
    if (key === "then") thens.push(value);
    else if (fields.has(key)) throw new Error(`${label}: header "${key}" appears twice`);
    else fields.set(key, value);
  }
  const known = new Set(["expect", "request", "generate-args", "known-failure", "current"]);
  for (const key of fields.keys()) if (!known.has(key)) throw new Error(`${label}: unknown header "${key}"`);
  const expectText = fields.get("expect");
  if (!code.startsWith("// expect: ") || !expectText)
    throw new Error(`${label}: the first line must be "// expect: {...}"`);
  const knownFailure = fields.get("known-failure");
  const currentText = fields.get("current");
  if ((knownFailure === undefined) !== (currentText === undefined)) {
    throw new Error(`${label}: "known-failure" and "current" go together`);
  }
  const request = fields.has("request") ? parseJson<Record<string, unknown>>(label, fields.get("request")) : {};
  const generated = fields.get("generate-args");
  return {
    label,
    code,
    request: { language: label.endsWith(".ts") ? "typescript" : "javascript", ...request },
    ...(generated !== undefined && { argsJson: generateArgs(label, parseJson<ArgsSpec>(label, generated)) }),
    expect: parseJson<Expectation>(label, expectText),
    thens: thens.map((text) => parseJson<Step>(label, text)),
    ...(knownFailure !== undefined && { knownFailure }),
    ...(currentText !== undefined && { current: parseJson<Current>(label, currentText) }),
  };
}

function parseJson<T>(label: string, text: string | undefined): T {
  try {
    return JSON.parse(text ?? "") as T;
  } catch (error) {
    throw new Error(`${label}: a header is not valid JSON (${String(error)}): ${text}`);
  }
}

interface ArgsSpec {
  shape: "string" | "array" | "object" | "nested";
  size: number;
}

/** Big `args` values as JSON text, generated so that the corpus files stay small. */
function generateArgs(label: string, { shape, size }: ArgsSpec): string {
  switch (shape) {
    case "string":
      return JSON.stringify("a".repeat(size));
    case "array":
      return JSON.stringify(Array.from({ length: size }, (_, index) => index));
    case "object":
      return JSON.stringify(Object.fromEntries(Array.from({ length: size }, (_, index) => [`k${index}`, index])));
    case "nested":
      return `${"[".repeat(size)}${"]".repeat(size)}`;
    default:
      throw new Error(`${label}: unknown generate-args shape ${JSON.stringify(shape)}`);
  }
}

/** Fills the placeholders that depend on where the servers listen. */
function substitute(text: string, target: Target): string {
  const self = new URL(target.url);
  const standIn = new URL(target.standInOrigin);
  return text
    .replaceAll("__SELF_ORIGIN__", self.origin)
    .replaceAll("__SELF_HOST__", self.host)
    .replaceAll("__SELF_PORT__", self.port)
    .replaceAll("__STAND_IN_ORIGIN__", standIn.origin)
    .replaceAll("__STAND_IN_HOST__", standIn.host);
}

function bodyOf(code: string, request: Record<string, unknown>, target: Target, argsJson?: string): string {
  const body = substitute(JSON.stringify({ ...request, code }), target);
  return argsJson === undefined ? body : `{"args":${argsJson},${body.slice(1)}`;
}

async function observe(target: Target, body: string): Promise<Observation> {
  const started = performance.now();
  try {
    const response = await fetch(`${target.url}/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await response.text();
    return { status: response.status, text, json: parsedJson(text), ms: performance.now() - started };
  } catch (error) {
    return { status: 0, text: "", json: undefined, ms: performance.now() - started, failure: String(error) };
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function oneOf<T>(allowed: T | T[], value: unknown): boolean {
  return (Array.isArray(allowed) ? allowed : [allowed]).some((item) => isDeepStrictEqual(item, value));
}

/**
 * How an observation is judged: against a case's expectation, with the contract's invariants
 * (a well-formed 200 answer within the deadline plus a margin), or against a known failure's
 * recorded behaviour, which checks only what the record names.
 */
export type Mode = "expected" | "recorded";

/** Every way `observation` differs from `expectation`; empty when it matches. */
export function mismatches(
  expectation: Expectation,
  observation: Observation,
  timeoutMs: number,
  mode: Mode,
): string[] {
  const found: string[] = [];
  const { status, json, ms } = observation;
  if (expectation.crash) {
    if (!(observation.failure || status >= 500)) found.push(`expected the runtime to crash, got HTTP ${status}`);
    return found;
  }
  if (observation.failure) return [`no answer: ${observation.failure}`];
  if (status !== 200) return [`HTTP ${status}: ${observation.text.slice(0, 300)}`];
  if (expectation.json === false) {
    if (json !== undefined) found.push("expected a body that is not JSON, got JSON");
    return found;
  }
  if (json === undefined) return [`the body is not JSON: ${observation.text.slice(0, 300)}`];
  const body = record(json);
  const error = record(body.error);
  const check = (what: string, pass: boolean, got: unknown) => {
    if (!pass) found.push(`${what}: got ${JSON.stringify(got)?.slice(0, 300)}`);
  };
  if (mode === "expected") {
    for (const key of RESPONSE_KEYS) check(`the response should have "${key}"`, key in body, Object.keys(body));
    if (body.ok === false) {
      check("error.kind should be one of the four kinds", KINDS.includes(String(error.kind)), error.kind);
      check("error should have a name and a message", typeof error.name === "string", error);
      check("error should have a name and a message", typeof error.message === "string", error);
    }
    const maxMs = expectation.maxMs ?? timeoutMs + MARGIN_MS;
    check(`an answer within ${maxMs} ms expected`, ms <= maxMs, Math.round(ms));
  } else if (expectation.maxMs !== undefined) {
    check(`an answer within ${expectation.maxMs} ms expected`, ms <= expectation.maxMs, Math.round(ms));
  }
  const e = expectation;
  if (e.ok !== undefined) check(`ok should be ${JSON.stringify(e.ok)}`, oneOf(e.ok, body.ok), body.ok);
  if ("result" in e) check("result differs", isDeepStrictEqual(e.result, body.result), body.result);
  if (e.resultLength !== undefined) {
    const length = typeof body.result === "string" ? body.result.length : undefined;
    check(`result should be a string of ${e.resultLength} characters`, length === e.resultLength, length);
  }
  // Error fields describe a failed run; a run that may also succeed (`"ok": [true, false]`) is not held to them.
  if (body.ok === false) {
    if (e.kind !== undefined) check(`error.kind should be ${JSON.stringify(e.kind)}`, oneOf(e.kind, error.kind), error);
    if (e.name !== undefined) check(`error.name should be ${JSON.stringify(e.name)}`, oneOf(e.name, error.name), error);
    if (e.message !== undefined) check("error.message differs", error.message === e.message, error.message);
    if (e.messageMatches !== undefined) {
      const pass = new RegExp(e.messageMatches).test(String(error.message));
      check(`error.message should match /${e.messageMatches}/`, pass, error.message);
    }
    if (e.line !== undefined) check(`error.line should be ${e.line}`, (error.line ?? null) === e.line, error.line);
    if (e.code !== undefined) check(`error.code should be ${e.code}`, error.code === e.code, error.code);
  }
  const logs = Array.isArray(body.logs) ? (body.logs as { message?: unknown }[]) : [];
  if (e.logCount !== undefined) check(`${e.logCount} log entries expected`, logs.length === e.logCount, logs.length);
  if (e.logBytesAtMost !== undefined) {
    const bytes = logs.reduce((total, log) => total + String(log.message).length, 0);
    check(`at most ${e.logBytesAtMost} bytes of logs expected`, bytes <= e.logBytesAtMost, bytes);
  }
  const bytes = Buffer.byteLength(observation.text);
  if (e.responseBytesAtMost !== undefined) {
    check(`a response of at most ${e.responseBytesAtMost} bytes expected`, bytes <= e.responseBytesAtMost, bytes);
  }
  if (e.responseBytesAtLeast !== undefined) {
    check(`a response of at least ${e.responseBytesAtLeast} bytes expected`, bytes >= e.responseBytesAtLeast, bytes);
  }
  if (e.exactKeys !== undefined) {
    const keys = Object.keys(body).sort();
    check(
      `exactly the keys ${e.exactKeys.join(", ")} expected`,
      isDeepStrictEqual(keys, [...e.exactKeys].sort()),
      keys,
    );
  }
  if (observation.text.includes(TEST_CREDENTIAL)) found.push("the response contains the configured credential");
  return found;
}

/** Mismatches with a known failure's record: none when any recorded alternative matches. */
export function recordedMismatches(current: Current, observation: Observation, timeoutMs: number): string[] {
  const alternatives = (Array.isArray(current) ? current : [current]).map((expectation) =>
    mismatches(expectation, observation, timeoutMs, "recorded"),
  );
  return alternatives.some((found) => found.length === 0) ? [] : alternatives.flat();
}

function timeoutOf(request: Record<string, unknown>): number {
  return typeof request.timeoutMs === "number" ? request.timeoutMs : DEFAULT_TIMEOUT_MS;
}

export interface StepRun {
  step: string;
  observation: Observation;
  timeoutMs: number;
  expect: Expectation;
  current: Current;
}

/** Runs a case and its `then` steps, in order, against `target`. */
export async function runCase(item: Case, target: Target): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  const first = await observe(target, bodyOf(item.code, item.request, target, item.argsJson));
  runs.push({
    step: item.label,
    observation: first,
    timeoutMs: timeoutOf(item.request),
    expect: item.expect,
    current: item.current ?? item.expect,
  });
  for (const [index, then] of item.thens.entries()) {
    const request = { ...item.request, ...then.request };
    const observation = await observe(target, bodyOf(then.code ?? item.code, request, target));
    runs.push({
      step: `${item.label}, then #${index + 1}`,
      observation,
      timeoutMs: timeoutOf(request),
      expect: then.expect,
      current: then.current ?? then.expect,
    });
  }
  return runs;
}
