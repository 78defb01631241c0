import { describe, expect, it } from "vitest";
import { ByteLru } from "../../src/compile/cache";

const lru = (maxBytes: number) => new ByteLru<string>(maxBytes, (value) => value.length);

describe("ByteLru", () => {
  it("returns what was stored", () => {
    const cache = lru(100);
    cache.set("a", "aaaa");
    expect(cache.get("a")).toBe("aaaa");
    expect(cache.get("b")).toBeUndefined();
  });

  it("evicts the least recently used entries when over budget", () => {
    const cache = lru(10);
    cache.set("a", "aaaa");
    cache.set("b", "bbbb");
    cache.get("a");
    cache.set("c", "cccc");
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual(["aaaa", undefined, "cccc"]);
    expect(cache.bytes).toBe(8);
  });

  it("does not keep a value larger than the whole budget", () => {
    const cache = lru(3);
    cache.set("a", "aaaa");
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });

  it("accounts for a replaced value once", () => {
    const cache = lru(100);
    cache.set("a", "aaaa");
    cache.set("a", "aa");
    expect([cache.size, cache.bytes]).toEqual([1, 2]);
  });
});
