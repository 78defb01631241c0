/**
 * Errors the sandbox raises itself, and how any thrown value becomes a `SandboxError`.
 * A limit error carries its kind so the host can report `timeout` or `resource` whatever the
 * user's code did with it (catching it does not make the run succeed: see `RunState.end`).
 */

import type { SandboxError } from "../shared/protocol";

export class LimitError extends Error {
  constructor(
    readonly kind: "timeout" | "resource",
    message: string,
    name = kind === "timeout" ? "TimeoutError" : "ResourceError",
  ) {
    super(message);
    this.name = name;
  }
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

/** Describes anything that was thrown, keeping the error's own JSON-representable properties. */
export function describeThrown(thrown: unknown): SandboxError {
  if (thrown instanceof LimitError) {
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
  } catch {
    return fallback;
  }
}

/** The string form of a thrown non-Error: `String(value)`, or a JSON rendering for plain objects. */
function stringForm(value: unknown): string {
  let text: string | undefined;
  try {
    text = String(value);
    if (text !== "[object Object]") return text;
  } catch {
    // A null-prototype object has no toString; JSON may still describe it.
  }
  try {
    return JSON.stringify(value) ?? text ?? Object.prototype.toString.call(value);
  } catch {
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
  } catch {
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
    } catch {
      // A getter that throws, a cycle or a BigInt: not JSON-representable, so not kept.
    }
  }
  return any ? JSON.stringify(kept) : undefined;
}
