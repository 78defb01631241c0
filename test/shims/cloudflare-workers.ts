/**
 * The parts of `cloudflare:workers` unit tests need in Node: base classes with no behaviour of
 * their own (in workerd they mark objects as passable over RPC).
 */

export class RpcTarget {}

export class WorkerEntrypoint<Env = unknown, Props = unknown> {
  constructor(
    readonly ctx: { props: Props },
    readonly env: Env,
  ) {}
}

export class DurableObject<Env = unknown> {
  constructor(
    readonly ctx: unknown,
    readonly env: Env,
  ) {}
}
