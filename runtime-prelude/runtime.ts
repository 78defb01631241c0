/**
 * Builds `$` for one run from the host's per-run `Runtime` stub. The object holds no secrets and
 * no bindings: each member forwards to the host, which acts for this run's caller only, and every
 * call is traced. Service members are RPC clients whose calls stay pipelined.
 */

import type { RunRequest } from "../shared/protocol";
import type { RuntimeApi } from "../shared/runtime-api";
import type { RunState } from "./run-state";
import type { CallTrace } from "./trace";
import type { Db, Kv, RunContext, Runtime } from "./types";

export type { RunContext, Runtime } from "./types";

export function createRuntime(run: RunState, request: RunRequest, trace: CallTrace): Runtime {
  const host = request.runtime;
  const call = <T>(name: string, fn: () => T): T => trace.record(name, fn);
  const ctx: RunContext = Object.freeze({
    tenant: request.tenant,
    requestId: request.requestId,
    deadline: run.deadline,
    timeoutMs: run.timeoutMs,
  });
  const kv: Kv = Object.freeze({
    get: (key: string, type?: string) => call("kv.get", () => host.kvGet(key, type)),
    put: (key: string, value: unknown, options?: unknown) => call("kv.put", () => host.kvPut(key, value, options)),
    delete: (key: string) => call("kv.delete", () => host.kvDelete(key)),
    list: (options?: unknown) => call("kv.list", () => host.kvList(options)),
  }) as Kv;
  const db: Db = Object.freeze({
    put: (collection: string, id: string, doc: object) => call("db.put", () => host.dbPut(collection, id, doc)),
    get: (collection: string, id: string) => call("db.get", () => host.dbGet(collection, id)),
    list: (collection: string, options?: unknown) => call("db.list", () => host.dbList(collection, options)),
    delete: (collection: string, id: string) => call("db.delete", () => host.dbDelete(collection, id)),
  }) as Db;
  const runtime: Record<string, unknown> = {
    ctx,
    kv,
    db,
    fetch: (input: string | URL | Request, init?: RequestInit) =>
      call("fetch", () => host.fetch(new Request(input, init))),
  };
  for (const name of request.services) runtime[name] = serviceClient(host, name, call);
  runtime.tools = toolsClient(request, run, call);
  return Object.freeze(runtime) as unknown as Runtime;
}

/** `$.tools.<name>(...args)` → the caller's tool, through the host's bridge; refused once the run is over. */
function toolsClient(request: RunRequest, run: RunState, call: Call): object {
  const { tools } = request;
  return new Proxy(Object.create(null), {
    get(_target, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      return (...args: unknown[]) =>
        call(`tools.${name}`, () => {
          if (!tools) {
            throw namedError(
              "ToolsUnavailableError",
              `$.tools.${name}() has no tools to call: tools are passed by the caller over RPC, capnweb or MCP.`,
            );
          }
          if (run.isFinished) {
            throw namedError(
              "ToolCallRefusedError",
              `$.tools.${name}() was called after the run settled; it was refused.`,
            );
          }
          return tools.call(name, args);
        });
    },
  });
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

type Call = <T>(name: string, fn: () => T) => T;

/** `$.<service>.<method>(...args)` → the host's stub for the service, method called on it (pipelined). */
function serviceClient(host: RuntimeApi, service: string, call: Call): object {
  return new Proxy(Object.create(null), {
    get(_target, method) {
      // Not a thenable: `await $.example` gives the client back, not a call to `then`.
      if (typeof method !== "string" || method === "then") return undefined;
      return (...args: unknown[]) =>
        call(`${service}.${method}`, () => {
          const stub = host.service(service) as Record<string, (...args: unknown[]) => unknown>;
          return stub[method]?.(...args);
        });
    },
  });
}
