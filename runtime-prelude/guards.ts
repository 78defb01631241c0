/**
 * Allocation guards: the isolate's bulk allocators check the current run's memory budget before
 * allocating. Local workerd enforces no per-isolate memory limit and a V8 out-of-memory aborts the
 * whole process, so a memory bomb must be refused before it happens. This is defence in depth, not
 * a boundary: production Workers enforce 128 MB per isolate on top.
 *
 * Installed once per isolate, before any user code is evaluated.
 */

import type { RunState } from "./run-state";

type CurrentRun = () => RunState | undefined;

const WASM_PAGE = 64 * 1024;
/** Arrays created as `Array(n)` that have not been filled yet: filling them is what allocates. */
const unfilledArrays = new WeakSet<unknown[]>();
/** Below this length `Array(n)` and its fill are too small to matter. */
const SMALL_ARRAY = 1024;

export function installAllocationGuards(current: CurrentRun): void {
  guardConstructor(globalThis, "ArrayBuffer", current, (args) => bufferBytes(args));
  if (typeof SharedArrayBuffer === "function") {
    guardConstructor(globalThis, "SharedArrayBuffer", current, (args) => bufferBytes(args));
  }
  for (const name of TYPED_ARRAYS) {
    const ctor = (globalThis as Record<string, unknown>)[name];
    if (typeof ctor !== "function") continue;
    const width = Number((ctor as { BYTES_PER_ELEMENT?: unknown }).BYTES_PER_ELEMENT) || 8;
    guardConstructor(globalThis, name, current, (args) => typedArrayBytes(args[0], width));
  }
  guardArrayConstructor(current);
  guardMethod(Array.prototype, "fill", current, function (this: unknown, args) {
    if (!Array.isArray(this) || !unfilledArrays.has(this)) return 0;
    // Charged here rather than by the wrapper, so that a refused fill leaves the array unfilled
    // and a retry after catching the error is charged again.
    charge(current, span(this.length, args[1], args[2]) * 8, "fill()");
    unfilledArrays.delete(this);
    return 0;
  });
  guardMethod(Array, "from", current, (args) => arrayLikeLength(args[0]) * 8);
  guardMethod(String.prototype, "repeat", current, function (this: unknown, args) {
    return String(this).length * Math.max(0, Number(args[0]) || 0);
  });
  for (const pad of ["padStart", "padEnd"] as const) {
    guardMethod(String.prototype, pad, current, function (this: unknown, args) {
      return Math.max(0, (Number(args[0]) || 0) - String(this).length);
    });
  }
  guardMethod(ArrayBuffer.prototype, "resize", current, function (this: unknown, args) {
    const now = this instanceof ArrayBuffer ? this.byteLength : 0;
    return Math.max(0, (Number(args[0]) || 0) - now);
  });
  guardMethod(ArrayBuffer.prototype, "transfer", current, (args) => Number(args[0]) || 0);
  // Copying methods allocate a whole new array natively (ES2023 "change array by copy").
  const copyCost = function (this: unknown) {
    const length = arrayLikeLength(this);
    return length >= SMALL_ARRAY ? length * 8 : 0;
  };
  for (const name of ["toReversed", "toSorted", "toSpliced", "with"]) {
    guardMethod(Array.prototype, name, current, copyCost);
  }
  const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
  for (const name of ["toReversed", "toSorted", "with"]) {
    guardMethod(typedArrayPrototype, name, current, function (this: unknown) {
      return ArrayBuffer.isView(this) ? this.byteLength : 0;
    });
  }
  guardMethod(globalThis, "structuredClone", current, (args) => cloneBytes(args[0]));
  guardConstructor(WebAssembly, "Memory", current, (args) => wasmPages(args[0], "initial"));
  guardMethod(WebAssembly.Memory.prototype, "grow", current, (args) => (Number(args[0]) || 0) * WASM_PAGE);
}

const TYPED_ARRAYS = [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
];

type Cost = (this: unknown, args: readonly unknown[]) => number;

function charge(current: CurrentRun, bytes: number, what: string): void {
  if (bytes > 0) current()?.allocate(bytes, what);
}

/** Replaces `owner[name]` (a constructor) by a proxy that charges before constructing. */
function guardConstructor(owner: object, name: string, current: CurrentRun, cost: Cost): void {
  const target = (owner as Record<string, unknown>)[name] as new (...args: unknown[]) => unknown;
  const proxy = new Proxy(target, {
    construct(ctor, args, newTarget) {
      charge(current, cost.call(undefined, args), `new ${name}()`);
      return Reflect.construct(ctor, args, newTarget);
    },
  });
  redefine(owner, name, proxy);
  // Instances report the guarded constructor, so `x.constructor === Uint8Array` still holds.
  redefine(target.prototype as object, "constructor", proxy);
}

function guardArrayConstructor(current: CurrentRun): void {
  const original = Array;
  const create = (args: unknown[], newTarget?: Function) => {
    const array = newTarget
      ? (Reflect.construct(original, args, newTarget) as unknown[])
      : (Reflect.apply(original, undefined, args) as unknown[]);
    if (args.length === 1 && typeof args[0] === "number" && args[0] >= SMALL_ARRAY) {
      if (current()) unfilledArrays.add(array);
    }
    return array;
  };
  const proxy = new Proxy(original, {
    apply: (_ctor, _self, args) => create(args),
    construct: (_ctor, args, newTarget) => create(args, newTarget),
  });
  redefine(globalThis, "Array", proxy);
  redefine(original.prototype, "constructor", proxy);
}

function guardMethod(owner: object, name: string, current: CurrentRun, cost: Cost): void {
  const original = (owner as Record<string, unknown>)[name];
  if (typeof original !== "function") return;
  const label = `${name}()`;
  const guarded = {
    [name](this: unknown, ...args: unknown[]) {
      charge(current, cost.call(this, args), label);
      return Reflect.apply(original, this, args);
    },
  }[name] as Function;
  Object.defineProperty(guarded, "length", { value: original.length });
  redefine(owner, name, guarded);
}

function redefine(owner: object, name: string, value: unknown): void {
  const descriptor = Object.getOwnPropertyDescriptor(owner, name);
  Object.defineProperty(owner, name, {
    value,
    writable: descriptor?.writable ?? true,
    enumerable: descriptor?.enumerable ?? false,
    configurable: descriptor?.configurable ?? true,
  });
}

function bufferBytes(args: readonly unknown[]): number {
  const length = Number(args[0]) || 0;
  const options = args[1] as { maxByteLength?: unknown } | undefined;
  const max = typeof options === "object" && options ? Number(options.maxByteLength) || 0 : 0;
  return Math.max(length, max);
}

function typedArrayBytes(source: unknown, width: number): number {
  if (!isObject(source)) {
    // Any primitive is a length: the constructor converts it (`new Float64Array("1e8")`).
    return typeof source === "symbol" || typeof source === "bigint" ? 0 : Number(source) * width;
  }
  if (source instanceof ArrayBuffer) return 0;
  if (typeof SharedArrayBuffer === "function" && source instanceof SharedArrayBuffer) return 0;
  return arrayLikeLength(source) * width;
}

function arrayLikeLength(source: unknown): number {
  if (!isObject(source)) return 0;
  try {
    const length = Number((source as { length?: unknown }).length);
    return Number.isFinite(length) && length > 0 ? length : 0;
  } catch {
    return 0;
  }
}

/** Functions are objects too: one with a large own `length` is an array-like. */
function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

function span(length: number, start: unknown, end: unknown): number {
  const clamp = (value: unknown, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Math.trunc(Number(value)) || 0;
    return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
  };
  return Math.max(0, clamp(end, length) - clamp(start, 0));
}

/** What cloning `value` allocates, at least: its bytes when it is binary, its elements when an array. */
function cloneBytes(value: unknown): number {
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.length * 8;
  if (typeof value === "string") return value.length * 2;
  return 0;
}

function wasmPages(descriptor: unknown, field: "initial"): number {
  if (typeof descriptor !== "object" || descriptor === null) return 0;
  return (Number((descriptor as Record<string, unknown>)[field]) || 0) * WASM_PAGE;
}
