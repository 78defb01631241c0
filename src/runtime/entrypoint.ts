/**
 * The host side of `$` (the sandbox's side is `Runtime` in runtime-prelude/). A sandbox reaches it
 * through a loopback stub made per run (`ctx.exports.RuntimeHost({ props })`); the props say who is
 * calling, and every method acts for that caller only: its tenant's data, its tier's capabilities,
 * its request's network policy. Nothing here is handed to the sandbox but results: bindings,
 * secrets and credentials stay on this side.
 */

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { gatewayFetch, parseCredentials, parseDevRoutes } from "../net/gateway";
import { allowsService, type Tier, tierNamed } from "../tenancy/tiers";
import { TenantDb } from "./db";
import { RuntimeError } from "./errors";
import { TenantKv } from "./kv";
import { serviceEntry } from "./manifest";

export interface RuntimeProps {
  tenant: string;
  tier: string;
  requestId: string;
  /** The request's `network.allow` list (empty when the network is "none"). */
  allow: string[];
  keyId?: string;
}

export class RuntimeHost extends WorkerEntrypoint<Env, RuntimeProps> {
  kvGet(key: unknown, type?: unknown): Promise<unknown> {
    return this.kv("kv.get").get(key, type);
  }

  kvPut(key: unknown, value: unknown, options?: unknown): Promise<void> {
    return this.kv("kv.put").put(key, value, options);
  }

  kvDelete(key: unknown): Promise<void> {
    return this.kv("kv.delete").delete(key);
  }

  kvList(options?: unknown): Promise<unknown> {
    return this.kv("kv.list").list(options);
  }

  dbPut(collection: unknown, id: unknown, doc: unknown): Promise<{ id: string }> {
    return this.db("db.put").put(collection, id, doc);
  }

  dbGet(collection: unknown, id: unknown): Promise<unknown> {
    return this.db("db.get").get(collection, id);
  }

  dbDelete(collection: unknown, id: unknown): Promise<boolean> {
    return this.db("db.delete").delete(collection, id);
  }

  dbList(collection: unknown, options?: unknown): Promise<unknown> {
    return this.db("db.list").list(collection, options);
  }

  /** `$.fetch`: the request's network policy, then credentials attached by destination host. */
  override async fetch(request: Request): Promise<Response> {
    this.require(this.tier.capabilities.fetch, "fetch");
    return gatewayFetch(request, {
      allow: this.ctx.props.allow,
      routes: parseDevRoutes(this.env.NETWORK_DEV_ROUTES),
      credentials: parseCredentials(this.env.FETCH_CREDENTIALS),
    });
  }

  /** The stub of a manifest service, for `$.<name>.<method>()` in the sandbox. */
  service(name: unknown): unknown {
    const entry = typeof name === "string" ? serviceEntry(name) : undefined;
    if (!entry)
      throw new RuntimeError("E_NOT_FOUND", `There is no service ${JSON.stringify(name)} in the runtime manifest.`);
    this.require(allowsService(this.tier, name as string), `${String(name)}`);
    const binding = (this.env as unknown as Record<string, unknown>)[entry.binding];
    if (!binding) throw new RuntimeError("E_NOT_FOUND", `The service ${String(name)} is not bound in this deployment.`);
    return binding;
  }

  private get tier(): Tier {
    const tier = tierNamed(this.ctx.props.tier);
    if (!tier) throw new RuntimeError("E_DENIED", `Unknown tier ${JSON.stringify(this.ctx.props.tier)}.`);
    return tier;
  }

  private kv(call: string): TenantKv {
    this.require(this.tier.capabilities.kv, call);
    return new TenantKv(this.env.KV, this.ctx.props.tenant);
  }

  private db(call: string): TenantDb {
    this.require(this.tier.capabilities.db, call);
    return new TenantDb(this.env.DB, this.ctx.props.tenant);
  }

  private require(allowed: boolean, call: string): void {
    if (!allowed) {
      throw new RuntimeError("E_DENIED", `$.${call} is not available on the "${this.tier.name}" tier.`, {
        denied: `$.${call}`,
        tier: this.tier.name,
      });
    }
  }
}
