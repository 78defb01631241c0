/**
 * The linker against the stand-in npm registry, in Node: versions remembered for their TTL, the
 * tenant's policy on every use, and one build per version shared through the store.
 */

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Compiler } from "../../src/compile";
import { PACKAGE_LIMITS } from "../../src/packages/limits";
import { PackageLinker, RESOLUTION_TTL_MS } from "../../src/packages/linker";
import type { PackagePolicy } from "../../src/packages/policy";
import { RegistryClient } from "../../src/packages/registry";
import type { PackageStore, StoredBundle } from "../../src/packages/store";
import { publish, published, type StandInRegistry, startRegistry, tag } from "../integration/registry";

let registry: StandInRegistry;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await registry?.close();
});

/** The store as R2 keeps it: shared by every linker (host isolate) made with it. */
class MemoryStore implements PackageStore {
  readonly bundles = new Map<string, StoredBundle>();
  readonly resolutions = new Map<string, { version: string; at: number }>();
  async getBundle(entry: string) {
    return this.bundles.get(entry);
  }
  async putBundle(bundle: StoredBundle) {
    this.bundles.set(bundle.entry, bundle);
  }
  async getResolution(name: string, range: string) {
    return this.resolutions.get(`${name}@${range}`);
  }
  async putResolution(name: string, range: string, version: string) {
    this.resolutions.set(`${name}@${range}`, { version, at: Date.now() });
  }
}

function compiler(store: PackageStore, policy: PackagePolicy = { type: "any" }) {
  const packages = new PackageLinker({
    registry: new RegistryClient(registry.origin, PACKAGE_LIMITS),
    store,
    policy,
    limits: PACKAGE_LIMITS,
    cacheBytes: 1024 * 1024,
  });
  return { packages, compiler: new Compiler({ cacheBytes: 1024 * 1024, build: "test", packages }) };
}

const input = (code: string) => ({ code, language: "javascript" as const });

describe("PackageLinker", () => {
  it("builds a version once: another isolate with the same store reads it", async () => {
    const store = new MemoryStore();
    const first = compiler(store);
    const code = 'import ms from "ms@2.1.3";\nreturn ms(60000)';
    const a = await first.compiler.compile(input(code), "none");
    expect(a.ok && a.packageModules && Object.keys(a.packageModules)).toEqual(["packages/ms@2.1.3.js"]);
    expect(first.packages.builds).toBe(1);
    const second = compiler(store);
    const b = await second.compiler.compile(input(code), "none");
    expect(second.packages.builds).toBe(0);
    expect(b.ok && b.unit.id).toBe(a.ok && a.unit.id);
    expect(b.packageModules).toEqual(a.packageModules);
  });

  it("keeps an unpinned version for its TTL, then takes the new one under a new id", async () => {
    const store = new MemoryStore();
    const { compiler: one } = compiler(store);
    const code = 'import escape from "escape-html@^1";\nreturn escape.packageVersion';
    const before = await one.compile(input(code), "none");
    expect(before.ok && before.unit.packages?.map((linked) => linked.version)).toEqual(["1.0.3"]);

    const [latest] = published("escape-html").filter((entry) => entry.version === "1.0.3");
    if (!latest) throw new Error("escape-html 1.0.3 is not published");
    publish({ ...latest, version: "1.0.4" });
    tag("escape-html", "latest", "1.0.4");
    const cached = await one.compile(input(code), "none");
    expect(cached.ok && cached.unit.id).toBe(before.ok && before.unit.id);

    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + RESOLUTION_TTL_MS + 1);
    const after = await one.compile(input(code), "none");
    vi.restoreAllMocks();
    expect(after.ok && after.unit.packages?.map((linked) => linked.version)).toEqual(["1.0.4"]);
    expect(after.ok && after.unit.id).not.toBe(before.ok && before.unit.id);
    expect(after.cached).toBe(false);
  });

  it("checks the tenant's policy on every use of a compiled unit", async () => {
    const { compiler: shared } = compiler(new MemoryStore(), { type: "tenants", allow: { acme: ["ms"] } });
    const code = 'import ms from "ms@2.1.3";\nreturn ms(1000)';
    const allowed = await shared.compile(input(code), "none", { tenant: "acme" });
    expect(allowed.ok).toBe(true);
    const refused = await shared.compile(input(code), "none", { tenant: "beta" });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.diagnostics.map((diagnostic) => [diagnostic.message, diagnostic.position])).toEqual([
      [
        'Package "ms" is not in the service\'s ready set and may not be fetched from the registry: the operator\'s package policy (NPM_POLICY) allows tenant "beta" none.',
        { line: 1, column: 15 },
      ],
    ]);
    const again = await shared.compile(input(code), "none", { tenant: "acme" });
    expect(again.ok && again.cached).toBe(true);
  });

  it("serves a versioned specifier its ready-set version satisfies from the ready set", async () => {
    const { compiler: ready, packages } = compiler(new MemoryStore());
    const result = await ready.compile(input('import { chunk } from "lodash-es@^4";\nreturn chunk([1, 2], 1)'), "none");
    expect(result.ok && result.unit.packages?.[0]?.ready).toBe("lodash-es");
    expect(Object.keys(result.packageModules ?? {})).toEqual(["libraries/lodash-es.js"]);
    expect(packages.builds).toBe(0);
  });
});
