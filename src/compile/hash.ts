/**
 * The unit id: SHA-256 (hex) over everything that goes into the sandbox's WorkerCode. Equal input
 * gives an equal id, which names the compile-cache entry and the Worker Loader isolate; anything
 * that changes the loaded code or its configuration must be part of it.
 */

import type { SubmittedModules } from "./input";

export interface UnitKey {
  code: string;
  language: string;
  /** The outbound policy, normalised (sorted hosts): it is frozen into the loaded isolate. */
  network: "none" | { allow: string[] };
  /** Changes whenever the compiler, the prelude or the sandbox configuration changes. */
  build: string;
  /** A multi-file request: every file's path and contents count (WebAssembly by its own digest). */
  modules?: SubmittedModules;
}

export async function unitId(key: UnitKey): Promise<string> {
  const parts: unknown[] = [key.build, key.language, key.network, key.code];
  if (key.modules) {
    const { main, sources, wasm } = key.modules;
    const wasmDigests: [string, string][] = [];
    for (const path of Object.keys(wasm).sort()) {
      wasmDigests.push([path, toHex(await crypto.subtle.digest("SHA-256", wasm[path] as Uint8Array<ArrayBuffer>))]);
    }
    const sourceEntries = Object.keys(sources)
      .sort()
      .map((path) => [path, sources[path]]);
    parts.push(main, sourceEntries, wasmDigests);
  }
  // JSON escapes lone surrogates, so distinct strings never encode to the same bytes.
  const text = JSON.stringify(parts);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

/** Lower-case hexadecimal of the bytes. */
export function toHex(data: Uint8Array | ArrayBuffer): string {
  let hex = "";
  for (const byte of data instanceof ArrayBuffer ? new Uint8Array(data) : data)
    hex += byte.toString(16).padStart(2, "0");
  return hex;
}
