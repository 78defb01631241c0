/**
 * Encodes a run's result as JSON text, never dropping a value silently (docs/api.md, "result"):
 * Date → ISO string, BigInt → decimal string, Map → object (or entries when a key is not a
 * string), Set and typed arrays → arrays, NaN/Infinity → null, a cycle → "[Circular]", functions
 * and symbols → a descriptive string. The writer counts bytes as it goes and stops at the budget,
 * so a 60 MB result or a sparse array with a huge length costs no more than the limit.
 */

import { isLimitError, LimitError } from "./errors";
import { formatBytes } from "./run-state";

export interface EncodeLimits {
  resultBytes: number;
  resultDepth: number;
}

export class ResultEncodeError extends Error {
  override name = "ResultEncodeError";
}

/** Returns JSON text for `value`, or `undefined` when the value itself is `undefined`. */
export function encodeResult(value: unknown, limits: EncodeLimits): string | undefined {
  const writer = new JsonWriter(limits);
  const replaced = writer.replaced(value, "", "result");
  if (replaced === undefined) return undefined;
  writer.value(replaced, "", "result");
  return writer.text();
}

const TYPED_ARRAY = Object.getPrototypeOf(Int8Array) as abstract new () => ArrayLike<number>;

/**
 * The built-ins that write the text, taken when the prelude loads, before any snippet runs: a
 * snippet that replaces `JSON.stringify` or `String` changes neither the encoding of its result
 * nor that of a later run in the same isolate. (The host also checks that the text is one JSON
 * value, so even a subverted encoder cannot add members to the response.)
 */
const stringify = JSON.stringify;
const toText = String;
const isFiniteNumber = Number.isFinite;

class JsonWriter {
  private written = "";
  private bytes = 0;
  private readonly ancestors: object[] = [];

  constructor(private readonly limits: EncodeLimits) {}

  text(): string {
    return this.written;
  }

  private emit(text: string): void {
    this.bytes += utf8Length(text);
    if (this.bytes > this.limits.resultBytes) this.overflow();
    // Concatenation rather than an array's push and join, which a snippet can replace.
    this.written += text;
  }

  private overflow(): never {
    throw new LimitError(
      "resource",
      `The result is larger than ${formatBytes(this.limits.resultBytes)} of JSON; return less data.`,
    );
  }

  /**
   * The value after its `toJSON`, as JSON.stringify applies it (once) before deciding whether a
   * member is written at all: a `toJSON` that returns `undefined` leaves the member out.
   */
  replaced(value: unknown, key: string, path: string): unknown {
    if (typeof value !== "object" || value === null) return value;
    let toJSON: unknown;
    try {
      // Both can run user code: a proxy's traps, or a getter named toJSON.
      if (value instanceof Date) return value;
      toJSON = (value as { toJSON?: unknown }).toJSON;
    } catch (error) {
      throw failure(`encoding ${path} threw`, error);
    }
    if (typeof toJSON !== "function") return value;
    try {
      return toJSON.call(value, key);
    } catch (error) {
      throw failure(`${path}.toJSON() threw`, error);
    }
  }

  /** Writes one value whose `toJSON` was already applied; `path` names it in error messages. */
  value(value: unknown, key: string, path: string): void {
    if (typeof value === "object" && value !== null) this.object(value, key, path);
    else this.emit(this.primitive(value));
  }

  /** JSON text for anything that is not an object. Strings are checked against the budget first. */
  private primitive(value: unknown): string {
    switch (typeof value) {
      case "string":
        return this.quote(value);
      case "number":
        return isFiniteNumber(value) ? stringify(value) : "null";
      case "boolean":
        return value ? "true" : "false";
      case "bigint":
      case "symbol":
        return this.quote(value.toString());
      case "function":
        return this.quote(describeFunction(value));
      default:
        return "null";
    }
  }

  private quote(text: string): string {
    // Escaping never shortens a string, so an oversized one fails before it is copied.
    if (this.bytes + text.length + 2 > this.limits.resultBytes) this.overflow();
    return stringify(text);
  }

  private object(value: object, key: string, path: string): void {
    if (this.ancestors.includes(value)) {
      this.emit(this.quote("[Circular]"));
      return;
    }
    if (this.ancestors.length >= this.limits.resultDepth) {
      throw new LimitError("resource", `The result nests deeper than ${this.limits.resultDepth} levels (at ${path}).`);
    }
    this.ancestors.push(value);
    try {
      this.objectBody(value, key, path);
    } catch (error) {
      // Type checks, iterators and length reads can run user code too (proxies, own overrides).
      throw failure(`encoding ${path} threw`, error);
    } finally {
      this.ancestors.pop();
    }
  }

  private objectBody(value: object, key: string, path: string): void {
    if (value instanceof Date) {
      this.emit(Number.isNaN(value.getTime()) ? "null" : this.quote(value.toISOString()));
      return;
    }
    if (Array.isArray(value)) this.list(value, path);
    else if (value instanceof Map) this.map(value, path);
    else if (value instanceof Set) this.list([...value], path);
    else if (value instanceof TYPED_ARRAY) this.numbers(value as ArrayLike<number | bigint>);
    else if (value instanceof ArrayBuffer) this.numbers(new Uint8Array(value));
    else if (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer) {
      this.numbers(new Uint8Array(value));
    } else if (value instanceof DataView)
      this.numbers(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    else if (
      value instanceof Number ||
      value instanceof String ||
      value instanceof Boolean ||
      value instanceof BigInt ||
      value instanceof Symbol
    ) {
      this.value(value.valueOf(), key, path);
    } else if (value instanceof RegExp) this.emit(this.quote(toText(value)));
    else if (value instanceof Promise) this.emit(this.quote("[Promise]"));
    else if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
      this.emit(this.quote(`[${Object.prototype.toString.call(value).slice(8, -1)}]`));
    } else if (value instanceof Error) this.error(value, path);
    else this.record(value, ownKeys(value, path), path);
  }

  private list(items: readonly unknown[], path: string): void {
    this.emit("[");
    const length = items.length;
    for (let index = 0; index < length; index++) {
      if (index > 0) this.emit(",");
      const at = `${path}[${index}]`;
      this.value(this.replaced(read(items, index, path), toText(index), at), toText(index), at);
    }
    this.emit("]");
  }

  private numbers(items: ArrayLike<number | bigint>): void {
    this.emit("[");
    for (let index = 0; index < items.length; index++) {
      if (index > 0) this.emit(",");
      const item = items[index];
      if (typeof item === "bigint") this.emit(this.quote(item.toString()));
      else this.emit(isFiniteNumber(item) ? toText(item) : "null");
    }
    this.emit("]");
  }

  private map(map: Map<unknown, unknown>, path: string): void {
    const entries = [...map];
    if (entries.every(([key]) => typeof key === "string")) {
      this.emit("{");
      let first = true;
      for (const [key, entry] of entries) {
        const at = `${path}.get(${stringify(key)})`;
        const item = this.replaced(entry, key as string, at);
        if (item === undefined) continue;
        if (!first) this.emit(",");
        first = false;
        this.emit(this.quote(key as string));
        this.emit(":");
        this.value(item, key as string, at);
      }
      this.emit("}");
      return;
    }
    this.emit("[");
    entries.forEach(([key, item], index) => {
      if (index > 0) this.emit(",");
      this.emit("[");
      this.value(this.replaced(key, "0", `${path}[${index}][0]`), "0", `${path}[${index}][0]`);
      this.emit(",");
      this.value(this.replaced(item, "1", `${path}[${index}][1]`), "1", `${path}[${index}][1]`);
      this.emit("]");
    });
    this.emit("]");
  }

  private error(error: Error, path: string): void {
    const keys = ownKeys(error, path).filter((key) => key !== "name" && key !== "message");
    this.emit("{");
    this.emit(this.quote("name"));
    this.emit(":");
    this.emit(this.quote(toText(read(error, "name", path))));
    this.emit(",");
    this.emit(this.quote("message"));
    this.emit(":");
    this.emit(this.quote(toText(read(error, "message", path))));
    if (keys.length > 0) this.emit(",");
    this.members(error, keys, path);
    this.emit("}");
  }

  private record(value: object, keys: string[], path: string): void {
    this.emit("{");
    this.members(value, keys, path);
    this.emit("}");
  }

  private members(value: object, keys: string[], path: string): void {
    let first = true;
    for (const key of keys) {
      const at = `${path}.${key}`;
      const item = this.replaced(read(value, key, path), key, at);
      if (item === undefined) continue;
      if (!first) this.emit(",");
      first = false;
      this.emit(this.quote(key));
      this.emit(":");
      this.value(item, key, at);
    }
  }
}

/** Reads a property, naming the path when a getter or proxy trap throws. */
function read(target: object, key: PropertyKey, path: string): unknown {
  try {
    return (target as Record<PropertyKey, unknown>)[key];
  } catch (error) {
    const at = typeof key === "number" ? `${path}[${key}]` : `${path}.${toText(key)}`;
    throw failure(`reading ${at} threw`, error);
  }
}

function ownKeys(value: object, path: string): string[] {
  try {
    return Object.keys(value);
  } catch (error) {
    throw failure(`listing the keys of ${path} threw`, error);
  }
}

function failure(what: string, cause: unknown): Error {
  // Already described (by a nested value), or a limit that must keep its kind.
  if (isLimitError(cause) || cause instanceof ResultEncodeError) return cause;
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : toText(cause);
  return new ResultEncodeError(`The result could not be encoded: ${what} ${reason}`);
}

function describeFunction(fn: Function): string {
  let name = "";
  try {
    name = fn.name;
  } catch {
    // A proxy may refuse; an anonymous description is still accurate.
  }
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(fn));
  if (isClass) return name ? `[class ${name}]` : "[class (anonymous)]";
  return name ? `[Function: ${name}]` : "[Function (anonymous)]";
}

/** Bytes `text` takes as UTF-8 (JSON text never holds lone surrogates: they are escaped). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    bytes += unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}
