/**
 * Errors the sandbox raises itself, and how any thrown value becomes a `SandboxError`.
 * A limit error carries its kind so the host can report `timeout` or `resource` whatever the
 * user's code did with it (catching it does not make the run succeed: see `RunState.end`).
 */

import { boundedError } from "../shared/error-bounds";
import type { SandboxError } from "../shared/protocol";

/**
 * Limit errors are recognised by a brand, not `instanceof`: a snippet that catches one can redefine
 * `Symbol.hasInstance` on its class (or on `Error`). The WeakSet's methods are taken at load.
 */
const limitErrors = new WeakSet<object>();
const addBrand = WeakSet.prototype.add;
const hasBrand = WeakSet.prototype.has;
const apply = Reflect.apply;

export class LimitError extends Error {
  constructor(
    readonly kind: "timeout" | "resource",
    message: string,
    name = kind === "timeout" ? "TimeoutError" : "ResourceError",
  ) {
    super(message);
    this.name = name;
    apply(addBrand, limitErrors, [this]);
  }
}

export function isLimitError(value: unknown): value is LimitError {
  return typeof value === "object" && value !== null && apply(hasBrand, limitErrors, [value]) === true;
}

/** V8 messages that mean the isolate ran out of something, not that the code is wrong. */
const RESOURCE_MESSAGES = [
  "Maximum call stack size exceeded",
  "Invalid string length",
  "Array buffer allocation failed",
  "Map maximum size exceeded",
  "Set maximum size exceeded",
  "Out of memory",
];

export function isResourceExhaustion(error: unknown): boolean {
  return error instanceof RangeError && RESOURCE_MESSAGES.some((text) => error.message.includes(text));
}

/**
 * Describes anything that was thrown, keeping the error's own JSON-representable properties,
 * each part within the error bounds.
 */
export function describeThrown(thrown: unknown): SandboxError {
  try {
    return boundedError(describe(thrown));
  } catch (failure) {
    // Describing ran the snippet's code (a getter, a Proxy trap, a toString) and that hit a limit,
    // or threw: the limit wins; otherwise say what could not be read.
    if (isLimitError(failure)) return boundedError(describe(failure));
    return {
      kind: "runtime",
      name: "Error",
      message: "A value was thrown that cannot be described: reading it threw in turn.",
    };
  }
}

function describe(thrown: unknown): SandboxError {
  if (isLimitError(thrown)) {
    return { kind: thrown.kind, name: thrown.name, message: thrown.message, stack: safeStack(thrown) };
  }
  if (thrown instanceof Error) {
    return {
      kind: isResourceExhaustion(thrown) ? "resource" : "runtime",
      name: safeString(() => thrown.name, "Error"),
      message: safeString(() => thrown.message, ""),
      stack: safeStack(thrown),
      props: ownProps(thrown),
    };
  }
  return {
    kind: "runtime",
    name: "Error",
    message: stringForm(thrown),
    props: typeof thrown === "object" && thrown !== null ? ownProps(thrown) : undefined,
  };
}

function safeStack(error: Error): string | undefined {
  try {
    return typeof error.stack === "string" ? error.stack : undefined;
  } catch {
    return undefined;
  }
}

function safeString(read: () => unknown, fallback: string): string {
  try {
    const value = read();
    return typeof value === "string" ? value : String(value);
  } catch (error) {
    if (isLimitError(error)) throw error;
    return fallback;
  }
}

/** The string form of a thrown non-Error: `String(value)`, or a JSON rendering for plain objects. */
function stringForm(value: unknown): string {
  let text: string | undefined;
  try {
    text = String(value);
    if (text !== "[object Object]") return text;
  } catch (error) {
    if (isLimitError(error)) throw error;
    // A null-prototype object has no toString; JSON may still describe it.
  }
  try {
    return JSON.stringify(value) ?? text ?? Object.prototype.toString.call(value);
  } catch (error) {
    if (isLimitError(error)) throw error;
    return text ?? Object.prototype.toString.call(value);
  }
}

/** `remote` is workerd's marker on errors that crossed an RPC boundary, not the user's data. */
const SKIPPED_PROPS = new Set(["stack", "message", "name", "remote"]);

/** JSON text of own enumerable properties (`code`, `details`, ...) that JSON can hold. */
function ownProps(value: object): string | undefined {
  const kept: Record<string, unknown> = {};
  let any = false;
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch (error) {
    if (isLimitError(error)) throw error;
    return undefined;
  }
  for (const key of keys) {
    if (SKIPPED_PROPS.has(key)) continue;
    try {
      const json = JSON.stringify((value as Record<string, unknown>)[key]);
      if (json === undefined) continue;
      Object.defineProperty(kept, key, {
        value: JSON.parse(json),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      any = true;
    } catch (error) {
      if (isLimitError(error)) throw error;
      // A getter that throws, a cycle or a BigInt: not JSON-representable, so not kept.
    }
  }
  return any ? JSON.stringify(kept) : undefined;
}
