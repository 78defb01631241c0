/**
 * `open` for the two RPC doors (Workers RPC and capnweb): the core opens the export and makes each
 * call; this turns its answers into objects an RPC client holds. The client never holds a stub into
 * the sandbox: every object it gets is a `RemoteObject` here, whose methods forward to the
 * sandbox's handle through the session, and RpcTargets and functions the user's code returns
 * become further `RemoteObject`s and functions, so calls on unawaited results are pipelined.
 */

import { RpcTarget } from "cloudflare:workers";
import type { HandleApi, HandleRef } from "../../shared/protocol";
import { ServiceError } from "../errors";
import type { InvocationContext } from "../invoke/context";
import { type CallAnswer, type OpenSession, openExport, parseOpenRequest } from "../invoke/open";
import type { OpenObjects } from "../invoke/open-objects";

export interface RemoteOptions {
  /** The client's objects are capnweb stubs (they cannot cross Workers RPC as they are). */
  capnweb?: boolean;
  /** Bounds the objects the client holds open at once. */
  openObjects?: OpenObjects;
}

/** `open(options)`: the chosen export as an object (or function, or value) the client can call. */
export async function openRemote(
  options: unknown,
  context: InvocationContext,
  remote: RemoteOptions = {},
): Promise<unknown> {
  const request = await parseOpenRequest(options, context);
  const outgoing = outgoingFor(remote.capnweb === true);
  const target = { ...request.target, args: request.target.args.map(outgoing) };
  const { session, answer } = await openExport(context, { ...request, target }, remote.openObjects);
  return materialise(new Client(session, outgoing), answer, true);
}

/** A session as the client sees it: calls with its arguments made fit to cross into the sandbox. */
class Client {
  constructor(
    readonly session: OpenSession,
    readonly outgoing: (value: unknown) => unknown,
  ) {}

  async call(handle: HandleApi, method: string | null, args: unknown[]): Promise<unknown> {
    return materialise(this, await this.session.call(handle, method, args.map(this.outgoing)), false);
  }
}

/**
 * An argument on its way into the sandbox. Workers RPC stubs pass as they are; a capnweb stub
 * cannot cross Workers RPC, so a function becomes a host function that calls it.
 */
function outgoingFor(capnweb: boolean): (value: unknown) => unknown {
  if (!capnweb) return (value) => value;
  return (value) => {
    if (typeof value !== "function") return value;
    const callback = value as (...args: unknown[]) => unknown;
    return (...args: unknown[]) => callback(...args);
  };
}

/**
 * The answer's value with each handle made callable. `opened`: the answer of `open` itself, whose
 * first object is the root, the one whose release ends the session.
 */
function materialise(client: Client, answer: CallAnswer, opened: boolean): unknown {
  let value = answer.value;
  let rooted = !opened;
  for (const { path, ref } of answer.handles) {
    const root = !rooted && !ref.callable;
    rooted ||= root;
    const remote = remoteFor(client, ref, root);
    if (path.length === 0) value = remote;
    else place(value, path, remote);
  }
  return value;
}

function remoteFor(client: Client, ref: HandleRef, root: boolean): unknown {
  const { handle } = ref;
  if (ref.callable) return (...args: unknown[]) => client.call(handle, null, args);
  const Remote = remoteClass(ref.methods);
  return new Remote(client, handle, root);
}

/** Puts `value` at `path` inside `root` (plain arrays and objects from the sandbox). */
function place(root: unknown, path: (string | number)[], value: unknown): void {
  let container = root;
  for (const key of path.slice(0, -1)) {
    if (typeof container !== "object" || container === null) return;
    container = (container as Record<string | number, unknown>)[key];
  }
  const last = path.at(-1);
  if (typeof container === "object" && container !== null && last !== undefined) {
    Object.defineProperty(container, last, { value, enumerable: true, writable: true, configurable: true });
  }
}

type RemoteClass = new (client: Client, handle: HandleApi, root: boolean) => RpcTarget;

interface Remote {
  client: Client;
  handle: HandleApi;
  /** The opened object itself: releasing it ends the session. */
  root: boolean;
}

/** Each object's session and handle, out of reach of the method names its prototype carries. */
const remotes = new WeakMap<object, Remote>();
/** Classes by method list; bounded, since the lists come from users' code. */
const classes = new Map<string, RemoteClass>();
const MAX_CLASSES = 1_000;

/** An RpcTarget class whose prototype has exactly these methods, each forwarding to the sandbox. */
function remoteClass(methods: string[]): RemoteClass {
  const key = methods.join(",");
  const known = classes.get(key);
  if (known) return known;
  class RemoteObject extends RpcTarget {
    constructor(client: Client, handle: HandleApi, root: boolean) {
      super();
      remotes.set(this, { client, handle, root });
    }

    [Symbol.dispose](): void {
      const remote = remotes.get(this);
      if (!remote) return;
      remotes.delete(this);
      if (remote.root) remote.client.session.close();
      try {
        (remote.handle as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
      } catch {
        // Already released.
      }
    }
  }
  for (const name of methods) {
    Object.defineProperty(RemoteObject.prototype, name, {
      value: function (this: object, ...args: unknown[]) {
        const remote = remotes.get(this);
        if (!remote) throw new ServiceError("invalid_request", "This object was released; open the module again.");
        return remote.client.call(remote.handle, name, args);
      },
      enumerable: false,
      writable: false,
      configurable: false,
    });
  }
  if (classes.size >= MAX_CLASSES) classes.clear();
  classes.set(key, RemoteObject);
  return RemoteObject;
}
