// Replaced at build time (scripts/build-prelude.mjs) by the TypeScript library files the checker
// uses; in Node, tests read them from the typescript-js package instead (test/type-checker).
export const LIBRARIES: Readonly<Record<string, string>> = {};
