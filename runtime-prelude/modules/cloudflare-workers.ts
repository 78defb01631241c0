/**
 * The `cloudflare:workers` module snippets may import, for classes whose instances are called over
 * RPC (`open`): `RpcTarget`, the runtime's own class, and `WorkerEntrypoint`, a sandbox stand-in
 * with `ctx` and `env` that is instantiated per `open` rather than by the runtime. The prelude
 * publishes both before the unit is imported (runtime-prelude/workers.ts).
 */

interface WorkersClasses {
  RpcTarget: typeof import("cloudflare:workers").RpcTarget;
  WorkerEntrypoint: new (ctx: unknown, env: unknown) => object;
}

const classes = Reflect.get(globalThis, Symbol.for("functions.do/cloudflare:workers")) as WorkersClasses;

export const RpcTarget = classes.RpcTarget;
export const WorkerEntrypoint = classes.WorkerEntrypoint;
