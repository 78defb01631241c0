/**
 * The example service: a small RPC Worker that snippets call as `$.example.<method>()`.
 * It stands for any internal service a platform wants agents' code to use without seeing its
 * credentials: the sandbox gets an RPC stub, never the binding's secrets.
 */

import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { ExampleApi, ExampleCounter } from "./api";

class Counter extends RpcTarget implements ExampleCounter {
  constructor(private current: number) {
    super();
  }

  increment(by = 1): number {
    this.current += by;
    return this.current;
  }

  value(): number {
    return this.current;
  }
}

class ExampleError extends Error {
  override name = "ExampleError";

  constructor(
    readonly code: string,
    readonly details: unknown,
  ) {
    super(`The example service failed on purpose with ${code}.`);
  }
}

export class ExampleService extends WorkerEntrypoint implements ExampleApi {
  greet(name: string): string {
    return `Hello, ${name}!`;
  }

  add(...numbers: number[]): number {
    return numbers.reduce((total, n) => total + n, 0);
  }

  counter(start = 0): Counter {
    return new Counter(start);
  }

  fail(code: string, details?: unknown): never {
    throw new ExampleError(code, details);
  }
}

export default {
  fetch: () => new Response("functions-do-example: call it over RPC through a service binding.\n"),
} satisfies ExportedHandler;
