// Unit tests run src/ in Node. workerd, like browsers, has `self`; esbuild-wasm's browser build
// (the one the Worker bundles) reads it.
(globalThis as { self?: unknown }).self ??= globalThis;
