/**
 * The host Worker. A request comes in through a door (src/doors/: HTTP with MCP and capnweb on it,
 * and the `Executor` entrypoint for Workers RPC), which hands it to the core (src/invoke/); the
 * core compiles the code (src/compile/) and calls it in a sandbox (src/sandbox/ on the host side,
 * runtime-prelude/ inside the isolate). Sandboxes reach back through the loopback entrypoints
 * exported here: `RuntimeHost` for `$` (src/runtime/) and `Outbound` for `fetch` (src/net/).
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import { app } from "./doors/http/app";
import type { Env } from "./env";
import { gatewayFetch, parseDevRoutes } from "./net/gateway";

export { Executor } from "./doors/workers-rpc";
export { RuntimeHost } from "./runtime/entrypoint";
export { RateLimiter } from "./tenancy/rate-limiter";

/** A sandbox's `globalOutbound` when its request allows hosts; `props.allow` is the normalised list. */
export class Outbound extends WorkerEntrypoint<Env, { allow: string[] }> {
  override fetch(request: Request): Promise<Response> {
    return gatewayFetch(request, { allow: this.ctx.props.allow, routes: parseDevRoutes(this.env.NETWORK_DEV_ROUTES) });
  }
}

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
