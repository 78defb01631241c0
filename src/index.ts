/**
 * The host Worker: the HTTP app, and the entrypoints sandboxes reach through loopback stubs.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "./env";
import { app } from "./http/app";
import { gatewayFetch, parseDevRoutes } from "./net/gateway";

export { Executor } from "./agents/executor";
export { Runtime } from "./runtime/entrypoint";
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
