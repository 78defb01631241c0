/**
 * The sandbox's answers, checked as untrusted input: the user's code ran in the same isolate as
 * the prelude and may have replaced the built-ins it encodes with, so every answer is checked here
 * before the host reads it. One function per kind of answer; all of them turn anything malformed
 * into the protocol's `ErrorOutcome`.
 */

import { boundedError } from "../../shared/error-bounds";
import type { ExecutionLimits } from "../../shared/limits";
import type {
  CallOutcome,
  ErrorOutcome,
  HandleRef,
  RunOutcome,
  SandboxError,
  ServeOutcome,
} from "../../shared/protocol";
import { failed } from "./call";

const KINDS = new Set(["runtime", "timeout", "resource"]);

/**
 * A run's answer: the result must be one JSON value within the result limit (it is spliced into the
 * response as text), and the error a vetted one.
 */
export function vetRun(outcome: RunOutcome, limits: ExecutionLimits, started: number): RunOutcome {
  if (outcome?.type === "result") {
    const text = outcome.result;
    if (text === undefined) return outcome;
    if (typeof text !== "string" || text.length > limits.resultBytes || !isOneJsonValue(text)) {
      return {
        ...outcome,
        type: "error",
        error: {
          kind: "runtime",
          name: "ResultEncodeError",
          message:
            "The result could not be encoded: the code replaced built-ins the encoder relies on (such as JSON.stringify).",
        },
      };
    }
    return outcome;
  }
  return vetErrorOutcome(outcome, started, "a run outcome");
}

/** A served request's answer: a real `Response`, a bounded description, or a known error. */
export function vetServe(outcome: ServeOutcome, started: number): ServeOutcome {
  if (outcome?.type === "response" && outcome.response instanceof Response) return outcome;
  if (outcome?.type === "no-handler") return { ...outcome, got: String(outcome.got).slice(0, 200) };
  const vetted = vetErrorOutcome(outcome, started, "a serve outcome");
  // An HTTP error answer carries no own properties of the thrown error.
  const { props: _props, ...error } = vetted.error;
  return { ...vetted, error };
}

const MAX_METHODS = 200;
const METHOD_NAME = /^[A-Za-z_$][\w$]{0,99}$/;
/** Names a host object must not answer to: they would make it a thenable or break RPC stubs. */
const RESERVED_METHODS = new Set(["constructor", "then", "catch", "finally", "dup", "onRpcBroken", "__proto__"]);

/**
 * An `open` or method call's answer: every handle must be a handle with usable method names, and
 * its path a list of keys; anything else is refused whole.
 */
export function vetCall(outcome: CallOutcome, started: number): CallOutcome {
  if (outcome?.type !== "result") return vetErrorOutcome(outcome, started, "a call outcome");
  if (!Array.isArray(outcome.handles)) return malformed(started, "a call outcome");
  const handles: { path: (string | number)[]; ref: HandleRef }[] = [];
  for (const entry of outcome.handles as unknown[]) {
    const { path, ref } = (entry ?? {}) as { path?: unknown; ref?: Partial<HandleRef> };
    if (typeof ref !== "object" || ref === null || !ref.handle) return malformed(started, "a handle");
    const keys = Array.isArray(path) && path.every(isKey) ? path : [];
    const methods = Array.isArray(ref.methods) ? ref.methods.filter(isMethodName).slice(0, MAX_METHODS) : [];
    handles.push({ path: keys, ref: { handle: ref.handle, methods, callable: ref.callable === true } });
  }
  return { ...outcome, handles };
}

/** A sandbox's error with bounded parts, a known kind, and properties only when they are a JSON object. */
export function vetError(sandboxError: SandboxError): SandboxError {
  const error = boundedError(sandboxError);
  if (!KINDS.has(error.kind)) error.kind = "runtime";
  if (error.props !== undefined && !isJsonObject(error.props)) delete error.props;
  return error;
}

function vetErrorOutcome(outcome: { type?: unknown; error?: unknown }, started: number, what: string): ErrorOutcome {
  if (outcome?.type !== "error" || typeof outcome.error !== "object" || outcome.error === null) {
    return malformed(started, what);
  }
  const errorOutcome = outcome as ErrorOutcome;
  return { ...errorOutcome, error: vetError(errorOutcome.error) };
}

function malformed(started: number, what: string): ErrorOutcome {
  return failed(started, {
    kind: "runtime",
    name: "SandboxError",
    message: `The sandbox answered something that is not ${what}.`,
  });
}

function isKey(key: unknown): key is string | number {
  return typeof key === "string" || typeof key === "number";
}

function isMethodName(name: unknown): name is string {
  return typeof name === "string" && METHOD_NAME.test(name) && !RESERVED_METHODS.has(name);
}

function isOneJsonValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isJsonObject(text: unknown): boolean {
  if (typeof text !== "string") return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
