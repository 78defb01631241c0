/**
 * Work done once per host isolate, in the background of its first request, so that no user
 * request pays for it: esbuild-wasm's start (~100 ms) and its first transform, which is slower
 * than the later ones.
 */

import { loadEsbuild } from "./compile/esbuild";

let warming: Promise<void> | undefined;

export function warmUp(): Promise<void> {
  warming ??= (async () => {
    const esbuild = await loadEsbuild();
    await esbuild.transform("const warm: number = 1;", { loader: "ts" });
  })().catch(() => {
    // Only a head start: a real compile will report any failure.
  });
  return warming;
}
