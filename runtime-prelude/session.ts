/**
 * RPC on a module's exports (`open`): the unit is evaluated once, as a run, and the chosen export
 * (a class, instantiated; an object with methods; a function) is kept in the isolate behind a
 * `Handle`. Every later call on it is a run of its own: a fresh deadline, fuel, console and `$`
 * from that call's request. Values it returns cross as Workers RPC values, except RpcTargets and
 * functions, which stay here and cross as further handles (stateful sessions, callbacks).
 *
 * The user's code captured `tick`, `$` and `console` when the unit was evaluated, so for an opened
 * module they are dispatchers to whichever call is current (AsyncLocalStorage), never the
 * evaluation's own run, which is over by the time the methods are called.
 */

import { RpcTarget } from "cloudflare:workers";
import type { CallOutcome, HandleApi, HandleRef, OpenTarget, RunRequest, SnippetRuntime } from "../shared/protocol";
import { currentRun } from "./current";
import { LimitError } from "./errors";
import { isClass, isNative, resolved, restorePromiseThen, thenOf } from "./intrinsics";
import { type Settled, type SnippetModule, withRun } from "./run";
import { WorkerEntrypoint } from "./workers";

export async function openExport(
  snippet: SnippetModule,
  request: RunRequest,
  target: OpenTarget,
): Promise<CallOutcome> {
  const settled = await withRun(request, async (scope) => {
    const runtime: SnippetRuntime = {
      args: null,
      $: currentRuntime,
      // The global console, routed to the current call's (globals.ts).
      console,
      tick: currentTick,
    };
    const completion = await snippet.default(runtime);
    const exports = { ...runtime.exports?.() };
    if (!("default" in exports) && completion !== undefined) exports.default = completion;
    const value = instantiate(exports, target);
    if (scope.run.ended) throw scope.run.ended;
    return crossing(value, true);
  });
  return outcome(settled);
}

/** `tick` for an opened module's code: the fuel and deadline of the call that is running it. */
function currentTick(): number {
  const run = currentRun.getStore()?.run;
  if (!run) {
    throw new LimitError("timeout", "Code of an opened module ran outside any call into it, so it has no deadline.");
  }
  return run.tick();
}

/** `$` for an opened module's code: the runtime of the call that is running it. */
const currentRuntime: object = new Proxy(Object.create(null), {
  get(_target, key) {
    const runtime = currentRun.getStore()?.$;
    if (!runtime) throw new Error("`$` is only available while a call into the module is running.");
    return Reflect.get(runtime, key);
  },
});

function instantiate(exports: Record<string, unknown>, target: OpenTarget): unknown {
  const name = target.export;
  if (!Object.hasOwn(exports, name)) {
    const names = Object.keys(exports);
    throw new TypeError(
      `The module has no export named "${name}". ${names.length > 0 ? `It exports: ${names.join(", ")}.` : "It exports nothing."}`,
    );
  }
  const value = exports[name];
  if (isClass(value)) {
    if (value.prototype instanceof WorkerEntrypoint) {
      const ctx = {
        props: target.props,
        waitUntil: (promise: unknown) =>
          void thenOf(
            resolved(promise),
            () => undefined,
            () => undefined,
          ),
      };
      return Reflect.construct(value, [ctx, {}]);
    }
    return Reflect.construct(value, target.args);
  }
  if (typeof value === "function" || (typeof value === "object" && value !== null)) return value;
  throw new TypeError(
    `The export "${name}" is ${value === null ? "null" : `a ${typeof value}`}: open() needs a class, an object with methods or a function.`,
  );
}

export class Handle extends RpcTarget implements HandleApi {
  readonly #target: unknown;
  readonly #methods: ReadonlySet<string>;

  constructor(target: unknown, methods: readonly string[]) {
    super();
    this.#target = target;
    this.#methods = new Set(methods);
  }

  async call(request: RunRequest, method: string | null, args: unknown[]): Promise<CallOutcome> {
    const target = this.#target;
    const methods = this.#methods;
    const settled = await withRun(request, async (scope) => {
      let value: unknown;
      if (method === null) {
        if (typeof target !== "function") throw new TypeError("This object is not a function.");
        value = await Reflect.apply(target, undefined, args);
      } else {
        if (!methods.has(method)) {
          throw new TypeError(
            `"${method}" is not a method of this object. ${methods.size > 0 ? `Its methods: ${[...methods].join(", ")}.` : "It has no methods."}`,
          );
        }
        const fn = (target as Record<string, unknown>)[method];
        if (typeof fn !== "function") throw new TypeError(`"${method}" is no longer a method of this object.`);
        value = await Reflect.apply(fn, target, args);
      }
      if (scope.run.ended) throw scope.run.ended;
      return crossing(value, false);
    });
    restorePromiseThen();
    return outcome(settled);
  }
}

interface Crossing {
  value: unknown;
  handles: { path: (string | number)[]; ref: HandleRef }[];
}

function outcome(settled: Settled<Crossing>): CallOutcome {
  const { settled: result, ...rest } = settled;
  return result.ok
    ? { type: "result", value: result.value.value, handles: result.value.handles, ...rest }
    : { type: "error", error: result.error, ...rest };
}

/** How deep and how many values a result is searched for RpcTargets and functions. */
const MAX_DEPTH = 16;
const MAX_NODES = 10_000;

/**
 * The value as it crosses to the host: RpcTargets and functions replaced by `null` and listed as
 * handles; arrays and plain objects copied around them; other values as they are. With `root`,
 * the value itself becomes a handle whatever it is (the opened export). A class instance that is
 * not an RpcTarget cannot cross, so it is refused here with a message that says what to do.
 */
function crossing(value: unknown, root: boolean): Crossing {
  const handles: Crossing["handles"] = [];
  if (root) {
    handles.push({ path: [], ref: handleRef(value) });
    return { value: null, handles };
  }
  let nodes = 0;
  const visit = (node: unknown, path: (string | number)[], depth: number): unknown => {
    if (typeof node === "function" || node instanceof RpcTarget) {
      handles.push({ path, ref: handleRef(node) });
      return null;
    }
    if (typeof node !== "object" || node === null || depth >= MAX_DEPTH || ++nodes > MAX_NODES) return node;
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index], depth + 1));
    const prototype = Object.getPrototypeOf(node);
    if (prototype === Object.prototype || prototype === null) {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(node))
        copy[key] = visit((node as Record<string, unknown>)[key], [...path, key], depth + 1);
      return copy;
    }
    const maker: unknown = prototype?.constructor;
    if (typeof maker === "function" && !isNative(maker)) {
      throw new TypeError(
        `A ${maker.name || "class"} instance cannot be returned over RPC: extend RpcTarget (import { RpcTarget } from "cloudflare:workers") to return it by reference, or return plain data.`,
      );
    }
    return node;
  };
  return { value: visit(value, [], 0), handles };
}

function handleRef(value: unknown): HandleRef {
  const callable = typeof value === "function";
  const methods = callable ? [] : methodNames(value);
  return { handle: new Handle(value, methods), methods, callable };
}

/** Names that would confuse an RPC stub or a promise if they were methods. */
const RESERVED = new Set(["constructor", "then", "catch", "finally", "dup", "__proto__", "onRpcBroken"]);
const MAX_METHODS = 200;

/** The object's own and inherited methods, up to the built-in classes it extends. */
function methodNames(value: unknown): string[] {
  const names: string[] = [];
  const stops = new Set<unknown>([Object.prototype, RpcTarget.prototype, WorkerEntrypoint.prototype, null]);
  for (let object = value; !stops.has(object) && names.length < MAX_METHODS; object = Object.getPrototypeOf(object)) {
    for (const name of Object.getOwnPropertyNames(object)) {
      if (RESERVED.has(name) || names.includes(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(object, name);
      if (typeof descriptor?.value === "function") names.push(name);
      if (names.length >= MAX_METHODS) break;
    }
  }
  return names;
}
