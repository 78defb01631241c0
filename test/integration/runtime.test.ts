/** The `$` runtime (issue 3): real KV, D1 and service bindings behind per-run RPC stubs. */

import { describe, expect, inject, it } from "vitest";
import { baseUrl, errorOf, execute, resultOf } from "./client";
import { receivedBy, TEST_CREDENTIAL } from "./stand-in";

/** Keys and collections unique to one test, so tests never see each other's data. */
const scope = () => `t${crypto.randomUUID().slice(0, 8)}`;

describe("$.kv", () => {
  it("round-trips text, JSON and bytes", async () => {
    const key = scope();
    const result = await resultOf(`
      await $.kv.put("${key}:text", "hello");
      await $.kv.put("${key}:json", JSON.stringify({ a: [1, 2] }));
      await $.kv.put("${key}:bytes", new Uint8Array([1, 2, 255]));
      return [
        await $.kv.get("${key}:text"),
        await $.kv.get("${key}:json", "json"),
        [...new Uint8Array(await $.kv.get("${key}:bytes", "arrayBuffer"))],
        await $.kv.get("${key}:missing"),
      ];`);
    expect(result).toEqual(["hello", { a: [1, 2] }, [1, 2, 255], null]);
  });

  it("keeps values between runs, and deletes them", async () => {
    const key = scope();
    await resultOf(`await $.kv.put("${key}", "kept")`);
    expect(await resultOf(`return $.kv.get("${key}")`)).toBe("kept");
    await resultOf(`await $.kv.delete("${key}")`);
    expect(await resultOf(`return $.kv.get("${key}")`)).toBeNull();
  });

  it("lists by prefix, in pages with a cursor", async () => {
    const prefix = scope();
    const result = await resultOf(`
      for (const n of [1, 2, 3]) await $.kv.put("${prefix}/" + n, String(n));
      const first = await $.kv.list({ prefix: "${prefix}/", limit: 2 });
      const rest = await $.kv.list({ prefix: "${prefix}/", cursor: first.cursor });
      return [first.keys.map((k) => k.name), first.list_complete, rest.keys.map((k) => k.name), rest.list_complete];`);
    expect(result).toEqual([[`${prefix}/1`, `${prefix}/2`], false, [`${prefix}/3`], true]);
  });

  it("accepts an expiration TTL of at least 60 seconds", async () => {
    const key = scope();
    expect(await resultOf(`await $.kv.put("${key}", "x", { expirationTtl: 60 }); return $.kv.get("${key}")`)).toBe("x");
    const error = await errorOf(`await $.kv.put("${key}", "x", { expirationTtl: 5 })`);
    expect(error).toMatchObject({ name: "InvalidArgumentError", code: "E_INVALID" });
    expect(error.message).toBe("kv.put: expirationTtl must be an integer of at least 60 seconds, got 5.");
  });

  it.each([
    ["an empty key", '$.kv.get("")', 'kv: a key must be a non-empty string, got "".'],
    ["a key that is not a string", "$.kv.get(42)", "kv: a key must be a non-empty string, got 42."],
    [
      "an object value",
      '$.kv.put("k", { a: 1 })',
      "kv.put: the value must be a string, ArrayBuffer or typed array, got object; use JSON.stringify for objects.",
    ],
    ["a key over 512 bytes", '$.kv.get("k".repeat(600))', "kv: the key is too long; keys may be up to 506 bytes here."],
    ["an unknown type", '$.kv.get("k", "blob")', 'kv.get: type must be "text", "json" or "arrayBuffer", got "blob".'],
  ])("refuses %s with a clear error", async (_what, call, message) => {
    expect(await errorOf(`await ${call}`)).toMatchObject({
      kind: "runtime",
      name: "InvalidArgumentError",
      code: "E_INVALID",
      message,
    });
  });

  it("refuses values over 4 MiB", async () => {
    const error = await errorOf('await $.kv.put("big", "x".repeat(5 * 1024 * 1024))');
    expect(error).toMatchObject({ name: "LimitExceededError", code: "E_TOO_LARGE" });
  });
});

describe("$.db", () => {
  it("puts, gets, replaces and deletes documents", async () => {
    const collection = scope();
    const result = await resultOf(`
      await $.db.put("${collection}", "u1", { name: "Ada", langs: ["en"] });
      const first = await $.db.get("${collection}", "u1");
      await $.db.put("${collection}", "u1", { name: "Ada Lovelace" });
      const replaced = await $.db.get("${collection}", "u1");
      const deleted = await $.db.delete("${collection}", "u1");
      return [first, replaced, deleted, await $.db.get("${collection}", "u1"), await $.db.delete("${collection}", "u1")];`);
    expect(result).toEqual([{ name: "Ada", langs: ["en"] }, { name: "Ada Lovelace" }, true, null, false]);
  });

  it("lists with conditions on fields and nested fields, ordered and limited", async () => {
    const collection = scope();
    const result = await resultOf(`
      const people = [["a", 36, "London", true], ["b", 28, "Paris", false], ["c", 45, "London", true], ["d", 19, "Rome", true]];
      for (const [id, age, city, active] of people) await $.db.put("${collection}", id, { age, active, address: { city } });
      const ids = (entries) => entries.map((entry) => entry.id);
      return {
        london: ids(await $.db.list("${collection}", { where: { "address.city": "London" }, orderBy: "age" })),
        older: ids(await $.db.list("${collection}", { where: { age: { $gte: 30 } }, orderBy: "-age" })),
        activeYoung: ids(await $.db.list("${collection}", { where: { active: true, age: { $lt: 40 } }, orderBy: { field: "age", direction: "asc" } })),
        inCities: ids(await $.db.list("${collection}", { where: { "address.city": { $in: ["Paris", "Rome"] } }, orderBy: "age" })),
        limited: ids(await $.db.list("${collection}", { orderBy: "age", limit: 2 })),
        notLondon: ids(await $.db.list("${collection}", { where: { "address.city": { $ne: "London" } }, orderBy: "age" })),
      };`);
    expect(result).toEqual({
      london: ["a", "c"],
      older: ["c", "a"],
      activeYoung: ["d", "a"],
      inCities: ["d", "b"],
      limited: ["d", "b"],
      notLondon: ["d", "b"],
    });
  });

  it("returns entries as { id, doc }", async () => {
    const collection = scope();
    const result = await resultOf(`await $.db.put("${collection}", "x", { n: 1 }); return $.db.list("${collection}")`);
    expect(result).toEqual([{ id: "x", doc: { n: 1 } }]);
  });

  it("treats SQL in ids and values as plain data", async () => {
    const collection = scope();
    const id = "1'; DROP TABLE documents; --";
    const result = await resultOf(`
      await $.db.put("${collection}", ${JSON.stringify(id)}, { note: "x' OR '1'='1" });
      const byValue = await $.db.list("${collection}", { where: { note: "x' OR '1'='1" } });
      const injected = await $.db.list("${collection}", { where: { note: "' OR 1=1 --" } });
      return [await $.db.get("${collection}", ${JSON.stringify(id)}), byValue.length, injected.length];`);
    expect(result).toEqual([{ note: "x' OR '1'='1" }, 1, 0]);
    expect(await resultOf(`return (await $.db.list("${collection}")).length`)).toBe(1);
  });

  it.each([
    [
      "a collection with a quote",
      `$.db.get("users'--", "1")`,
      'db.get: a collection name is 1-64 letters, digits, "_", "." or "-", got "users\'--".',
    ],
    ["an empty id", '$.db.get("users", "")', 'db.get: an id is a non-empty string of up to 512 characters, got "".'],
    ["an array document", '$.db.put("users", "1", [1])', "db.put: a document is a JSON object, got an array."],
    [
      "a field path with SQL",
      '$.db.list("users", { where: { "a) OR (1": 1 } })',
      'db.list: "a) OR (1" is not a field path such as "name" or "address.city".',
    ],
    [
      "an unknown operator",
      '$.db.list("users", { where: { a: { $regex: "x" } } })',
      'db.list: a has an unsupported condition "$regex"; use one of $eq, $ne, $gt, $gte, $lt, $lte, $in with a string, number or boolean.',
    ],
    [
      "a limit over 1000",
      '$.db.list("users", { limit: 5000 })',
      "db.list: limit must be an integer from 1 to 1000, got 5000.",
    ],
    [
      "a bad direction",
      '$.db.list("users", { orderBy: { field: "a", direction: "up" } })',
      'db.list: orderBy direction must be "asc" or "desc", got "up".',
    ],
  ])("refuses %s with a clear error", async (_what, call, message) => {
    expect(await errorOf(`await ${call}`)).toMatchObject({ name: "InvalidArgumentError", code: "E_INVALID", message });
  });
});

describe("services of the runtime manifest", () => {
  it("calls the example service over RPC", async () => {
    expect(await resultOf('return [await $.example.greet("Ada"), await $.example.add(1, 2, 3)]')).toEqual([
      "Hello, Ada!",
      6,
    ]);
  });

  it("pipelines a call on an unawaited result", async () => {
    expect(await resultOf("return $.example.counter(10).increment(5)")).toBe(15);
  });

  it("keeps a returned stub for further calls", async () => {
    expect(
      await resultOf(
        "const c = await $.example.counter(1); await c.increment(); await c.increment(); return c.value()",
      ),
    ).toBe(3);
  });

  it("keeps the name, message, code and details of a service's error, located at the call", async () => {
    const error = await errorOf('const x = 1;\nawait $.example.fail("E_QUOTA", { used: 11, limit: 10 });');
    expect(error).toMatchObject({
      kind: "runtime",
      name: "ExampleError",
      message: "The example service failed on purpose with E_QUOTA.",
      code: "E_QUOTA",
      details: { used: 11, limit: 10 },
      line: 2,
    });
  });

  it("lets code catch a service error and read its code", async () => {
    expect(await resultOf('try { await $.example.fail("E_X") } catch (e) { return [e.name, e.code] }')).toEqual([
      "ExampleError",
      "E_X",
    ]);
  });

  it("is not a thenable, so awaiting the client itself is harmless", async () => {
    expect(await resultOf("const client = await $.example; return client.greet('x')")).toBe("Hello, x!");
  });
});

describe("$.fetch", () => {
  it("reaches an allowed host through the gateway", async () => {
    const result = await resultOf(
      "const r = await $.fetch('http://api.example.test/echo?via=runtime'); return [r.status, (await r.json()).path]",
      {
        network: { allow: ["api.example.test"] },
      },
    );
    expect(result).toEqual([200, "/echo?via=runtime"]);
  });

  it("refuses a host the request did not allow", async () => {
    const error = await errorOf("await $.fetch('http://other.example.test/echo')", {
      network: { allow: ["api.example.test"] },
    });
    expect(error).toMatchObject({ name: "NetworkRefusedError" });
    expect(error.message).toContain("other.example.test is not in this run's network.allow list");
  });

  it("refuses everything when the request allows no network", async () => {
    const error = await errorOf("await $.fetch('http://api.example.test/echo')");
    expect(error.message).toContain("is not in this run's network.allow list (empty)");
  });

  it("refuses private addresses and redirects into them", async () => {
    const allow = { network: { allow: ["api.example.test", "10.0.0.1"] } };
    expect((await errorOf("await $.fetch('http://10.0.0.1/')", allow)).message).toContain(
      "loopback, private or link-local",
    );
    const to = encodeURIComponent(`${inject("standInOrigin")}/echo`);
    expect((await errorOf(`await $.fetch('http://api.example.test/redirect?to=${to}')`, allow)).message).toContain(
      "loopback, private or link-local",
    );
  });

  it("attaches the configured credential host-side, where the snippet never sees it", async () => {
    const marker = scope();
    const execution = await execute({
      code: `
        const response = await $.fetch("http://api.example.test/record/${marker}", { headers: { "x-marker": "${marker}" } });
        const seen = [];
        const visit = (value, depth) => {
          if (depth > 3 || value === null || (typeof value !== "object" && typeof value !== "function")) return;
          for (const key of Reflect.ownKeys(value)) {
            try { const item = value[key]; seen.push(String(key), typeof item === "string" ? item : ""); visit(item, depth + 1); } catch {}
          }
        };
        visit($, 0);
        visit(globalThis, 0);
        console.log([...response.headers].join(";"), JSON.stringify(seen).length);
        return { status: response.status, body: await response.text(), env: Object.keys(process.env), seen };`,
      network: { allow: ["api.example.test"] },
    });
    expect(execution.ok).toBe(true);
    expect((execution.result as { body: string }).body).toBe("recorded");
    const text = JSON.stringify(execution);
    expect(text).not.toContain("stand-in-credential");
    const received = (await receivedBy(inject("standInOrigin"))).find(
      (request) => request.path === `/record/${marker}`,
    );
    expect(received?.headers.authorization).toBe(TEST_CREDENTIAL);
    expect(received?.headers["x-marker"]).toBe(marker);
  });

  it("does not attach the credential to plain fetch, or to other hosts", async () => {
    const marker = scope();
    await resultOf(
      `await fetch("http://api.example.test/record/${marker}"); await $.fetch("http://other.example.test/record/${marker}")`,
      {
        network: { allow: ["api.example.test", "other.example.test"] },
      },
    );
    const received = (await receivedBy(inject("standInOrigin"))).filter(
      (request) => request.path === `/record/${marker}`,
    );
    expect(received).toHaveLength(2);
    for (const request of received) expect(request.headers.authorization).toBeUndefined();
  });
});

describe("$.ctx and the call trace", () => {
  it("gives read-only facts about the run", async () => {
    const result = (await resultOf("return { ...$.ctx, frozen: Object.isFrozen($.ctx) }", {
      timeoutMs: 1234,
    })) as Record<string, unknown>;
    expect(result).toMatchObject({ tenant: "local", timeoutMs: 1234, frozen: true });
    expect(typeof result.requestId).toBe("string");
    expect(result.deadline).toBeGreaterThan(Date.now() - 60_000);
  });

  it("lists every $ call with its duration and outcome", async () => {
    const execution = await execute({
      code: `await $.kv.put("${scope()}", "v"); await $.example.greet("x"); try { await $.kv.get("") } catch {} return 1`,
    });
    expect(execution.calls.map((call) => [call.name, call.ok])).toEqual([
      ["kv.put", true],
      ["example.greet", true],
      ["kv.get", false],
    ]);
    for (const call of execution.calls) expect(call.ms).toBeGreaterThanOrEqual(0);
  });

  it("includes an empty trace when nothing was called, and on syntax errors", async () => {
    expect((await execute({ code: "return 1" })).calls).toEqual([]);
    expect((await execute({ code: "return (" })).calls).toEqual([]);
  });

  it("reaches $ from helper code through the functions.do module", async () => {
    const code =
      'import { $ } from "functions.do";\nconst greet = (name) => $.example.greet(name);\nreturn greet("module")';
    expect(await resultOf(code)).toBe("Hello, module!");
  });
});

describe("GET /types", () => {
  it("serves the $ type definitions generated from the prelude's own types", async () => {
    const response = await fetch(`${baseUrl()}/types`);
    expect(response.headers.get("content-type")).toContain("application/typescript");
    const text = await response.text();
    expect(text).toContain("declare const $: FunctionsDo.Runtime;");
    expect(text).toContain("readonly example: ServiceClient<ExampleApi>;");
    expect(text).toContain(
      "list<T = Record<string, unknown>>(collection: string, options?: DbListOptions): Promise<DbEntry<T>[]>;",
    );
    expect(text).toContain('declare module "functions.do"');
  });
});
