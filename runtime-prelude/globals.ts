/**
 * Globals that follow the current run: `$`, and `console` for code that reaches the global one
 * (`globalThis.console`, bundled modules). Outside any run they fall back to the isolate's own.
 */

import { currentRun } from "./current";

export function installRunGlobals(): void {
  Object.defineProperty(globalThis, "$", {
    get: () => currentRun.getStore()?.$,
    enumerable: false,
    configurable: false,
  });

  const original = console;
  const routed = Object.create(original) as Record<string, unknown>;
  for (const name of Object.keys(original) as (keyof Console)[]) {
    const fallback = original[name];
    if (typeof fallback !== "function") continue;
    routed[name] = (...args: unknown[]) => {
      const scope = currentRun.getStore();
      const target = scope ? scope.console : original;
      return (target[name] as (...args: unknown[]) => unknown)(...args);
    };
  }
  Object.defineProperty(globalThis, "console", {
    value: routed,
    writable: false,
    enumerable: false,
    configurable: false,
  });
}
