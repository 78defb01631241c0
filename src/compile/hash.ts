/**
 * The unit id: SHA-256 (hex) over everything that goes into the sandbox's WorkerCode. Equal input
 * gives an equal id, which names the compile-cache entry and the Worker Loader isolate; anything
 * that changes the loaded code or its configuration must be part of it.
 */

export interface UnitKey {
  code: string;
  language: string;
  /** The outbound policy, normalised (sorted hosts): it is frozen into the loaded isolate. */
  network: "none" | { allow: string[] };
  /** Changes whenever the compiler, the prelude or the sandbox configuration changes. */
  build: string;
}

export async function unitId(key: UnitKey): Promise<string> {
  // JSON escapes lone surrogates, so distinct strings never encode to the same bytes.
  const text = JSON.stringify([key.build, key.language, key.network, key.code]);
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
