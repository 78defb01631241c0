/**
 * The built-ins the prelude needs after user code has run (promises, timers, telling classes and
 * native functions apart), taken when the prelude loads. A snippet that removes `Promise.prototype.then` or replaces `Promise.race` and
 * `setTimeout` changes what its own code sees, never how the prelude races the deadline, delivers
 * logs or answers the host (like clock.ts for `Date.now`).
 */

const NativePromise = Promise;
const promiseThen = Promise.prototype.then;
const promiseResolve = Promise.resolve;
const nativeSetTimeout = globalThis.setTimeout;
const nativeClearTimeout = globalThis.clearTimeout;
const defineProperty = Object.defineProperty;
const functionText = Function.prototype.toString;

export type Timer = ReturnType<typeof setTimeout>;

export function setTimer(callback: () => void, ms: number): Timer {
  return Reflect.apply(nativeSetTimeout, globalThis, [callback, ms]) as Timer;
}

export function clearTimer(timer: Timer | undefined): void {
  if (timer !== undefined) Reflect.apply(nativeClearTimeout, globalThis, [timer]);
}

/** `promise.then(onFulfilled, onRejected)` with the original `then` (not exported as `then`: a module namespace with a `then` export is a thenable). */
export function thenOf<T, R = void>(
  promise: Promise<T>,
  onFulfilled: (value: T) => R | PromiseLike<R>,
  onRejected?: (reason: unknown) => R | PromiseLike<R>,
): Promise<R> {
  return Reflect.apply(promiseThen, promise, [onFulfilled, onRejected]) as Promise<R>;
}

/** A native promise of `value` (a thenable's outcome, as `Promise.resolve` gives). */
export function resolved<T>(value: T | PromiseLike<T>): Promise<T> {
  return Reflect.apply(promiseResolve, NativePromise, [value]) as Promise<T>;
}

/** `new Promise(executor)` with the original constructor. */
export function promise<T>(
  executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void,
): Promise<T> {
  return new NativePromise<T>(executor);
}

/** Settles as the first of `promises` to settle, as `Promise.race` does. */
export function race<T>(promises: readonly Promise<T>[]): Promise<T> {
  return promise<T>((resolve, reject) => {
    for (const each of promises) thenOf(resolved(each), resolve, reject);
  });
}

/**
 * Puts `Promise.prototype.then` back if the snippet removed or replaced it: workerd looks it up on
 * the promise an RPC method returns, so without it the answer could not be sent at all. Called as
 * the prelude answers; a `then` the snippet made unconfigurable stays as it is.
 */
export function restorePromiseThen(): void {
  if (NativePromise.prototype.then === promiseThen) return;
  try {
    defineProperty(NativePromise.prototype, "then", {
      value: promiseThen,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  } catch {
    // Frozen by the snippet: the answer fails as the snippet arranged.
  }
}

/** A class (which cannot be called without `new`), by its source text. */
export function isClass(value: unknown): value is new (...args: unknown[]) => object {
  return typeof value === "function" && /^class[\s{]/.test(Reflect.apply(functionText, value, []));
}

/** A built-in function (`[native code]`), not one the snippet wrote. */
export function isNative(fn: Function): boolean {
  return /\{\s*\[native code\]\s*\}$/.test(Reflect.apply(functionText, fn, []));
}
