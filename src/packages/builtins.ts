/**
 * Node's built-in modules as the sandbox has them (`nodejs_compat` at the sandbox's compatibility
 * date). Every one imports, but some are stubs whose functions throw "not implemented" (measured in
 * workerd for this date): a package that imports one of those is refused up front, naming them,
 * rather than failing later inside the snippet's run.
 */

/** Stubs in the sandbox: importable, but their functions throw. */
export const UNSUPPORTED_BUILTINS: ReadonlySet<string> = new Set([
  "child_process",
  "cluster",
  "http2",
  "inspector",
  "inspector/promises",
  "repl",
  "vm",
  "wasi",
  "worker_threads",
]);

const BUILTINS = new Set([
  ...UNSUPPORTED_BUILTINS,
  "assert",
  "assert/strict",
  "async_hooks",
  "buffer",
  "console",
  "constants",
  "crypto",
  "dgram",
  "diagnostics_channel",
  "dns",
  "dns/promises",
  "domain",
  "events",
  "fs",
  "fs/promises",
  "http",
  "https",
  "module",
  "net",
  "os",
  "path",
  "path/posix",
  "path/win32",
  "perf_hooks",
  "process",
  "punycode",
  "querystring",
  "readline",
  "readline/promises",
  "stream",
  "stream/consumers",
  "stream/promises",
  "stream/web",
  "string_decoder",
  "sys",
  "timers",
  "timers/promises",
  "tls",
  "trace_events",
  "tty",
  "url",
  "util",
  "util/types",
  "v8",
  "zlib",
]);

/** `fs`, `node:fs`, `fs/promises` → the built-in's name; undefined when the specifier is not one. */
export function builtinName(specifier: string): string | undefined {
  const name = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  return BUILTINS.has(name) ? name : undefined;
}
