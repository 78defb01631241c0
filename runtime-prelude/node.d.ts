// The parts of workerd's Node.js compatibility modules the prelude uses (nodejs_compat).

declare module "node:util" {
  export function format(...args: unknown[]): string;
  export function inspect(value: unknown, options?: object): string;
}

declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
