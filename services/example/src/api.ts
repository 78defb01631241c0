/**
 * The RPC interface of the example service, as snippets see it through `$.example`. The build
 * turns this file into part of the `$` type definitions served at GET /types.
 */

/** A stateful counter handed out by `ExampleApi.counter`; calls on it go back to the service. */
export interface ExampleCounter {
  /** Adds `by` (default 1) and returns the new value. */
  increment(by?: number): number;
  /** The current value. */
  value(): number;
}

export interface ExampleApi {
  /** "Hello, <name>!" */
  greet(name: string): string;
  /** The sum of the numbers. */
  add(...numbers: number[]): number;
  /** A counter starting at `start`; call methods on it, even before it resolves (pipelining). */
  counter(start?: number): ExampleCounter;
  /** Always throws an `ExampleError` carrying `code` and `details`, to show how errors cross. */
  fail(code: string, details?: unknown): never;
}
