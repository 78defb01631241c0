/**
 * One HTTP request to a module with a fetch handler (`/fn/:name/*`): evaluate the unit as a run
 * does, take its default export's `fetch` and call it with the request under the same deadline,
 * limits and `$`. Never rejects: a missing handler and every failure come back as data.
 */

import type { RunRequest, ServeOutcome } from "../shared/protocol";
import type { RunScope } from "./current";
import { isClass, resolved, thenOf } from "./intrinsics";
import { type SnippetModule, withRun } from "./run";

type FetchHandler = (request: Request, env: object, ctx: ExecutionContextLike) => unknown;

/** The part of workerd's `ExecutionContext` a sandboxed handler gets: nothing outlives the run. */
interface ExecutionContextLike {
  waitUntil(promise: unknown): void;
  passThroughOnException(): void;
}

export async function serveRequest(snippet: SnippetModule, http: Request, request: RunRequest): Promise<ServeOutcome> {
  const { settled, ...rest } = await withRun(request, (scope) => handle(snippet, http, scope));
  if (!settled.ok) return { type: "error", error: settled.error, ...rest };
  const { value } = settled;
  return value instanceof Response
    ? { type: "response", response: value, ...rest }
    : { type: "no-handler", got: value.got, ...rest };
}

async function handle(snippet: SnippetModule, http: Request, scope: RunScope): Promise<Response | { got: string }> {
  const { run } = scope;
  let exported = await snippet.default({ args: null, $: scope.$, console: scope.console, tick: run.tick });
  const ctx: ExecutionContextLike = {
    // Work after the response would outlive the run's deadline, so it is not waited for.
    waitUntil: (promise) =>
      void thenOf(
        resolved(promise),
        () => undefined,
        () => undefined,
      ),
    passThroughOnException: () => undefined,
  };
  // `export default class extends WorkerEntrypoint { fetch(request) {} }`: an instance per request.
  if (isClass(exported) && typeof exported.prototype.fetch === "function") {
    exported = Reflect.construct(exported, [{ ...ctx, props: {} }, {}]);
  }
  const handler = fetchHandler(exported);
  if (!handler) return { got: describeExport(exported) };
  const response = await Reflect.apply(handler, exported, [http, {}, ctx]);
  // A limit the code caught still ends the run.
  if (run.ended) throw run.ended;
  if (!(response instanceof Response)) {
    throw new TypeError(`The fetch handler must return a Response, got ${describeExport(response)}.`);
  }
  return response;
}

function fetchHandler(value: unknown): FetchHandler | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  const handler: unknown = (value as { fetch?: unknown }).fetch;
  return typeof handler === "function" ? (handler as FetchHandler) : undefined;
}

function describeExport(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object without a `fetch` method";
  return `a value of type ${typeof value}`;
}
