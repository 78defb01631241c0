/**
 * The `functions.do` module snippets may import: `import { $ } from "functions.do"`. Its `$`
 * forwards to the runtime of the run that is executing, so helpers written as modules can use it.
 */

import type { Runtime } from "../types";

const current = () => (globalThis as unknown as { $: Runtime | undefined }).$;

export const $: Runtime = new Proxy({} as Runtime, {
  get: (_target, key) => {
    const runtime = current();
    if (!runtime) throw new Error("`$` is only available while a snippet is running.");
    return Reflect.get(runtime, key);
  },
  has: (_target, key) => Reflect.has(current() ?? {}, key),
  ownKeys: () => Reflect.ownKeys(current() ?? {}),
  getOwnPropertyDescriptor: (_target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(current() ?? {}, key);
    return descriptor ? { ...descriptor, configurable: true } : undefined;
  },
});

export type * from "../types";
