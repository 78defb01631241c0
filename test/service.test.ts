/**
 * The second-level compile cache the service picks (src/service.ts `unitStore`), on real stores
 * run by workerd through miniflare: a KV namespace, and the Cache API both working (a custom
 * domain) and disabled, which is how it behaves on `workers.dev` hostnames (every `match` misses,
 * every `put` is dropped).
 */

import { Miniflare, Response as MiniflareResponse } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Compiler } from "../src/compile";
import { CacheApiStore, KV_TTL_SECONDS, KvStore } from "../src/compile/store";
import { unitStore } from "../src/service";

const WORKER = { modules: true, script: "export default { fetch: () => new Response('ok') }" };
const network = "none" as const;
let workersDev: Miniflare;
let customDomain: Miniflare;

beforeAll(async () => {
  workersDev = new Miniflare({ ...WORKER, kvNamespaces: ["COMPILE_CACHE"], cache: false });
  customDomain = new Miniflare({ ...WORKER, kvNamespaces: ["COMPILE_CACHE"] });
  await Promise.all([workersDev.ready, customDomain.ready]);
});

afterAll(async () => {
  await Promise.all([workersDev.dispose(), customDomain.dispose()]);
});

async function bindings(mf: Miniflare): Promise<{ kv: KVNamespace; caches: CacheStorage }> {
  return {
    kv: (await mf.getKVNamespace("COMPILE_CACHE")) as unknown as KVNamespace,
    caches: nodeResponses(await mf.getCaches()),
  };
}

/**
 * miniflare's caches, taking the `Response`s the store makes with Node's global class: its proxy
 * into workerd only carries its own `Response` class, so each is copied into one on `put`.
 */
function nodeResponses(caches: Awaited<ReturnType<Miniflare["getCaches"]>>): CacheStorage {
  return {
    async open(name: string) {
      const cache = await caches.open(name);
      return {
        match: (key: string) => cache.match(key),
        put: async (key: string, response: Response) =>
          cache.put(key, new MiniflareResponse(await response.text(), { headers: [...response.headers] })),
      };
    },
  } as unknown as CacheStorage;
}

/** What two host isolates (or two starts) of one deployment share: the bindings, nothing else. */
async function twoIsolates(mf: Miniflare, withKv = true) {
  const { kv, caches } = await bindings(mf);
  const env = withKv ? { COMPILE_CACHE: kv } : {};
  const compiler = () => new Compiler({ cacheBytes: 1 << 20, build: "test", store: unitStore(env, caches) });
  return [compiler(), compiler()] as const;
}

describe("unitStore", () => {
  it("shares compiled units between isolates through KV where the Cache API never hits (workers.dev)", async () => {
    const [first, second] = await twoIsolates(workersDev);
    const input = { code: `return "workers.dev ${Math.random()}"`, language: "javascript" } as const;
    await first.compile(input, network, { persist: true });
    await first.writing;
    const loaded = await second.compile(input, network);
    expect(loaded).toMatchObject({ ok: true, cached: true });
    expect(second.compilations).toBe(0);
  });

  it("without the COMPILE_CACHE binding, has only the Cache API, which misses on workers.dev", async () => {
    const { caches } = await bindings(workersDev);
    expect(unitStore({}, caches)).toBeInstanceOf(CacheApiStore);
    const [first, second] = await twoIsolates(workersDev, false);
    const input = { code: `return "no kv ${Math.random()}"`, language: "javascript" } as const;
    await first.compile(input, network, { persist: true });
    await first.writing;
    expect(await second.compile(input, network)).toMatchObject({ ok: true, cached: false });
  });

  it("on a custom domain, answers from the Cache API and copies a KV hit into it", async () => {
    const { kv, caches } = await bindings(customDomain);
    const [first] = await twoIsolates(customDomain);
    const input = { code: `return "custom ${Math.random()}"`, language: "javascript" } as const;
    const compiled = await first.compile(input, network);
    if (!compiled.ok) throw new Error("did not compile");
    const id = compiled.unit.id;
    // Only in KV (written by another location), not in this location's cache yet.
    await new KvStore(kv).put(id, compiled);
    const cache = new CacheApiStore(caches);
    expect(await cache.get(id)).toBeUndefined();
    expect(await unitStore({ COMPILE_CACHE: kv }, caches).get(id)).toMatchObject({ ok: true, unit: { id } });
    expect(await cache.get(id)).toMatchObject({ ok: true, unit: { id } });
  });

  it("writes KV entries that expire, so an old build's units do not stay for ever", async () => {
    const { kv } = await bindings(workersDev);
    const [first] = await twoIsolates(workersDev);
    const input = { code: `return "ttl ${Math.random()}"`, language: "javascript" } as const;
    const compiled = await first.compile(input, network, { persist: true });
    await first.writing;
    if (!compiled.ok) throw new Error("did not compile");
    const { keys } = await kv.list({ prefix: `units/${compiled.unit.id}` });
    const now = Date.now() / 1000;
    expect(keys).toHaveLength(1);
    expect(keys[0]?.expiration).toBeGreaterThan(now + KV_TTL_SECONDS - 3600);
    expect(keys[0]?.expiration).toBeLessThan(now + KV_TTL_SECONDS + 3600);
  });
});
