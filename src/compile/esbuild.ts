/**
 * The one place esbuild-wasm is initialised: once per isolate, on the main thread (workerd has no
 * Web Workers), from the `.wasm` module the Worker bundles. A failed start is retried next time.
 */

import * as esbuild from "esbuild-wasm";
import wasmModule from "esbuild-wasm/esbuild.wasm";

let ready: Promise<typeof esbuild> | undefined;

export function loadEsbuild(): Promise<typeof esbuild> {
  ready ??= esbuild.initialize({ wasmModule, worker: false }).then(
    () => esbuild,
    (error: unknown) => {
      ready = undefined;
      throw error;
    },
  );
  return ready;
}

export type { Message as EsbuildMessage } from "esbuild-wasm";
