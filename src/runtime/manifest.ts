/**
 * The runtime manifest: which service bindings snippets may call, and by what name. Every entry
 * becomes `$.<name>`, an RPC client of the bound Worker's entrypoint (see wrangler.jsonc
 * "services"). The binding's stub is handed to the sandbox per run; its credentials never are.
 * `types` points at the interface the build turns into the `$` type definitions (GET /types).
 */

export interface ServiceEntry {
  /** The binding in wrangler.jsonc. */
  binding: string;
  /** One line for /types and the README. */
  description: string;
  /** The file and exported interface describing the service's RPC methods. */
  types: { file: string; interface: string };
}

export const RUNTIME_SERVICES = {
  example: {
    binding: "EXAMPLE",
    description: "The example service: greetings, sums, stateful counters and deliberate errors.",
    types: { file: "services/example/src/api.ts", interface: "ExampleApi" },
  },
} as const satisfies Record<string, ServiceEntry>;

export type ServiceName = keyof typeof RUNTIME_SERVICES;

export function serviceEntry(name: string): ServiceEntry | undefined {
  return Object.hasOwn(RUNTIME_SERVICES, name) ? RUNTIME_SERVICES[name as ServiceName] : undefined;
}

export const SERVICE_NAMES = Object.keys(RUNTIME_SERVICES) as ServiceName[];
