import { describe, expect, it } from "vitest";
import { encodeResult, ResultEncodeError } from "../../runtime-prelude/encode";
import { LimitError } from "../../runtime-prelude/errors";
import { DEFAULT_LIMITS } from "../../shared/limits";
import { thrownBy } from "./helpers";

const LIMITS = { resultBytes: DEFAULT_LIMITS.resultBytes, resultDepth: DEFAULT_LIMITS.resultDepth };

function encode(value: unknown, limits: Partial<typeof LIMITS> = {}): string | undefined {
  return encodeResult(value, { ...LIMITS, ...limits });
}

function named(): void {}
class Point {
  x = 1;
  y = 2;
  get sum(): number {
    return this.x + this.y;
  }
}

describe("encodeResult: values JSON can hold", () => {
  it.each<[string, unknown, string]>([
    ["a string, escaped", 'he said "hé"\n', '"he said \\"hé\\"\\n"'],
    ["an integer", 42, "42"],
    ["a fraction", 1.5, "1.5"],
    ["negative zero as 0", -0, "0"],
    ["true", true, "true"],
    ["false", false, "false"],
    ["null", null, "null"],
    ["an empty array", [], "[]"],
    ["an empty object", {}, "{}"],
    ["nested arrays and objects", { a: [1, { b: "c" }], d: { e: null } }, '{"a":[1,{"b":"c"}],"d":{"e":null}}'],
    ["integer-like keys in JSON's order", { b: 1, 2: "x", a: 2, 1: "y" }, '{"1":"y","2":"x","b":1,"a":2}'],
    ["an object without a prototype", Object.assign(Object.create(null), { a: 1 }), '{"a":1}'],
  ])("encodes %s as JSON.stringify would", (_, value, expected) => {
    expect(encode(value)).toBe(expected);
    expect(encode(value)).toBe(JSON.stringify(value));
  });
});

describe("encodeResult: values JSON cannot hold", () => {
  it.each<[string, unknown, string]>([
    ["NaN as null", Number.NaN, "null"],
    ["Infinity as null", Number.POSITIVE_INFINITY, "null"],
    ["-Infinity as null", Number.NEGATIVE_INFINITY, "null"],
    ["non-finite numbers inside arrays as null", [1, Number.NaN, Number.POSITIVE_INFINITY], "[1,null,null]"],
    ["a BigInt as its decimal string", 2n ** 70n, '"1180591620717411303424"'],
    ["a negative BigInt as its decimal string", -5n, '"-5"'],
    ["a Date as its ISO string", new Date(Date.UTC(2024, 1, 29, 12, 30)), '"2024-02-29T12:30:00.000Z"'],
    ["an invalid Date as null", new Date(Number.NaN), "null"],
    [
      "a Map with string keys as an object",
      new Map<string, unknown>([
        ["a", 1],
        ["b", [2]],
      ]),
      '{"a":1,"b":[2]}',
    ],
    ["an empty Map as an empty object", new Map(), "{}"],
    [
      "a Map with numeric keys as an array of entries",
      new Map([
        [1, "one"],
        [2, "two"],
      ]),
      '[[1,"one"],[2,"two"]]',
    ],
    [
      "a Map with mixed keys as an array of entries",
      new Map<unknown, number>([
        ["a", 1],
        [true, 2],
      ]),
      '[["a",1],[true,2]]',
    ],
    ["a Map with object keys as entries with encoded keys", new Map([[{ id: 1 }, new Set([2])]]), '[[{"id":1},[2]]]'],
    [
      "undefined Map values under string keys by omission",
      new Map([
        ["a", undefined],
        ["b", 1],
      ]),
      '{"b":1}',
    ],
    ["undefined Map values in entries as null", new Map([[1, undefined]]), "[[1,null]]"],
    ["a Set as an array", new Set([1, "two", { three: 3 }]), '[1,"two",{"three":3}]'],
    ["a Uint8Array as an array of numbers", new Uint8Array([1, 2, 255]), "[1,2,255]"],
    ["an Int16Array with negative numbers", new Int16Array([-1, 300]), "[-1,300]"],
    ["a Uint8ClampedArray", new Uint8ClampedArray([0, 300]), "[0,255]"],
    [
      "a Float64Array with non-finite numbers as null",
      new Float64Array([1.5, Number.NaN, -Infinity]),
      "[1.5,null,null]",
    ],
    ["a BigInt64Array as decimal strings", new BigInt64Array([1n, -2n]), '["1","-2"]'],
    ["a typed array view as only its own elements", new Uint8Array([1, 2, 3, 4]).subarray(1, 3), "[2,3]"],
    ["an ArrayBuffer as its bytes", new Uint8Array([7, 8]).buffer, "[7,8]"],
    ["a DataView as the bytes it covers", new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2), "[2,3]"],
    ["undefined in an array as null", [1, undefined, 3], "[1,null,3]"],
    ["holes in a sparse array as null", Object.assign(new Array(3), { 0: 1, 2: 3 }), "[1,null,3]"],
    ["undefined properties by omission", { a: undefined, b: 1 }, '{"b":1}'],
    ["a named function", named, '"[Function: named]"'],
    ["a function property by its name", { run() {} }, '{"run":"[Function: run]"}'],
    ["an anonymous function", [() => 1], '["[Function (anonymous)]"]'],
    ["an async function by its name", async function load() {}, '"[Function: load]"'],
    ["a bound function", named.bind(null), '"[Function: bound named]"'],
    ["a class", Point, '"[class Point]"'],
    ["an anonymous class", [class {}], '["[class (anonymous)]"]'],
    ["a symbol", Symbol("x"), '"Symbol(x)"'],
    ["a symbol without a description", Symbol(), '"Symbol()"'],
    ["a boxed number as the number", new Number(3), "3"],
    ["a boxed string as the string", new String("s"), '"s"'],
    ["a boxed boolean as the boolean", new Boolean(false), "false"],
    ["a boxed BigInt as its decimal string", Object(7n), '"7"'],
    ["a boxed symbol as its description", Object(Symbol("boxed")), '"Symbol(boxed)"'],
    ["a RegExp as its source text", /a+b/gi, '"/a+b/gi"'],
    ["a Promise as a marker", Promise.resolve(1), '"[Promise]"'],
    ["a WeakMap as a marker", new WeakMap(), '"[WeakMap]"'],
    ["a WeakSet as a marker", new WeakSet(), '"[WeakSet]"'],
    ["a WeakRef as a marker", new WeakRef({}), '"[WeakRef]"'],
    ["a class instance as its own enumerable fields", new Point(), '{"x":1,"y":2}'],
    ["an own __proto__ key as data", JSON.parse('{"__proto__":{"x":1},"a":2}'), '{"__proto__":{"x":1},"a":2}'],
    ["an Error as its name and message", new TypeError("bad input"), '{"name":"TypeError","message":"bad input"}'],
    [
      "an Error with its own properties",
      Object.assign(new Error("nope"), { code: "E_NOPE", details: { retry: false } }),
      '{"name":"Error","message":"nope","code":"E_NOPE","details":{"retry":false}}',
    ],
  ])("encodes %s", (_, value, expected) => {
    const text = encode(value);
    expect(text).toBe(expected);
    expect(() => JSON.parse(text ?? "")).not.toThrow();
  });

  it("returns undefined for a top-level undefined", () => {
    expect(encode(undefined)).toBeUndefined();
  });

  it("leaves out symbol-keyed and non-enumerable properties", () => {
    const value = { a: 1, [Symbol("hidden")]: 2 };
    Object.defineProperty(value, "b", { value: 3, enumerable: false });
    expect(encode(value)).toBe('{"a":1}');
  });

  it("keeps an Error's own name field and leaves out its stack", () => {
    class ValidationError extends Error {
      override name = "ValidationError";
      field = "email";
    }
    expect(encode(new ValidationError("invalid"))).toBe(
      '{"name":"ValidationError","message":"invalid","field":"email"}',
    );
  });

  it("encodes an own __proto__ key without changing the prototype of anything", () => {
    const value: object = {};
    Object.defineProperty(value, "__proto__", { value: { polluted: true }, enumerable: true });
    const text = encode(value) ?? "";
    expect(text).toBe('{"__proto__":{"polluted":true}}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("encodeResult: toJSON", () => {
  it("uses what toJSON returns", () => {
    expect(encode({ toJSON: () => ({ replaced: new Map([["k", 1n]]) }) })).toBe('{"replaced":{"k":"1"}}');
  });

  it("passes toJSON the key it is found under", () => {
    const probe = { toJSON: (key: string) => `key=${key}` };
    expect(encode(probe)).toBe('"key="');
    expect(encode({ name: probe })).toBe('{"name":"key=name"}');
    expect(encode([probe, probe])).toBe('["key=0","key=1"]');
  });

  it("calls toJSON with the object as this", () => {
    expect(
      encode({
        secret: "hidden",
        visible: 1,
        toJSON(this: { visible: number }) {
          return { visible: this.visible };
        },
      }),
    ).toBe('{"visible":1}');
  });

  it("ignores a toJSON that is not a function", () => {
    expect(encode({ toJSON: "not a function", a: 1 })).toBe('{"toJSON":"not a function","a":1}');
  });
});

describe("encodeResult: shared and circular references", () => {
  it("encodes an object that contains itself as [Circular]", () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = value;
    expect(encode(value)).toBe('{"a":1,"self":"[Circular]"}');
  });

  it("encodes an array that contains itself as [Circular]", () => {
    const value: unknown[] = [1];
    value.push(value);
    expect(encode(value)).toBe('[1,"[Circular]"]');
  });

  it("encodes a cycle through a Map and a Set as [Circular]", () => {
    const root = { items: new Map<string, unknown>() };
    root.items.set("parent", new Set([root]));
    expect(encode(root)).toBe('{"items":{"parent":["[Circular]"]}}');
  });

  it("encodes a value reached twice without a cycle in full both times", () => {
    const shared = { n: 1 };
    expect(encode({ a: shared, b: [shared, shared] })).toBe('{"a":{"n":1},"b":[{"n":1},{"n":1}]}');
  });
});

describe("encodeResult: limits", () => {
  it("accepts a string that fills the byte budget exactly", () => {
    expect(encode("x".repeat(8), { resultBytes: 10 })).toBe('"xxxxxxxx"');
  });

  it("refuses a string one byte over the budget with a resource LimitError", () => {
    const error = thrownBy(() => encode("x".repeat(9), { resultBytes: 10 }));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "resource", name: "ResourceError" });
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"The result is larger than 10 B of JSON; return less data."`,
    );
  });

  it("counts escapes against the budget", () => {
    expect(() => encode('"'.repeat(4), { resultBytes: 9 })).toThrow(LimitError);
    expect(encode('"'.repeat(4), { resultBytes: 10 })).toBe('"\\"\\"\\"\\""');
  });

  it("stops a large array at the budget, naming it in MiB", () => {
    const error = thrownBy(() =>
      encode(
        Array.from({ length: 1_000_000 }, (_, i) => i),
        { resultBytes: 1024 * 1024 },
      ),
    );
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"The result is larger than 1.0 MiB of JSON; return less data."`,
    );
  });

  it("stops a sparse array with a huge length at the budget, quickly", () => {
    const started = performance.now();
    expect(() => encode(new Array(2 ** 32 - 1))).toThrow(LimitError);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("stops a huge typed array at the budget", () => {
    expect(() => encode(new Uint8Array(1024), { resultBytes: 1000 })).toThrow(LimitError);
  });

  it("stops many small Map entries at the budget", () => {
    const map = new Map(Array.from({ length: 1000 }, (_, i) => [`key${i}`, i] as const));
    expect(() => encode(map, { resultBytes: 1000 })).toThrow(LimitError);
  });

  it("accepts nesting as deep as the depth limit", () => {
    expect(encode({ a: { b: { c: 1 } } }, { resultDepth: 3 })).toBe('{"a":{"b":{"c":1}}}');
  });

  it("refuses nesting one level deeper than the depth limit, naming the path", () => {
    const error = thrownBy(() => encode({ a: [{ c: {} }] }, { resultDepth: 3 }));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "resource" });
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"The result nests deeper than 3 levels (at result.a[0].c)."`,
    );
  });

  it("refuses a deeply nested value with a LimitError, not a stack overflow", () => {
    let value: unknown = null;
    for (let i = 0; i < 200_000; i++) value = [value];
    const error = thrownBy(() => encode(value));
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).message).toContain(`deeper than ${DEFAULT_LIMITS.resultDepth} levels`);
  });

  it("counts toJSON results against the depth limit", () => {
    const endless = (): object => ({ toJSON: () => ({ next: endless() }) });
    expect(() => encode(endless(), { resultDepth: 50 })).toThrow(LimitError);
  });
});

describe("encodeResult: values that cannot be read", () => {
  it("names the path of a getter that throws", () => {
    const value = {
      user: {
        get email(): string {
          throw new Error("not loaded");
        },
      },
    };
    const error = thrownBy(() => encode(value));
    expect(error).toBeInstanceOf(ResultEncodeError);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"The result could not be encoded: reading result.user.email threw Error: not loaded"`,
    );
  });

  it("names the index of an array element whose getter throws", () => {
    const list: unknown[] = [];
    Object.defineProperty(list, 0, {
      enumerable: true,
      get() {
        throw new RangeError("gone");
      },
    });
    const error = thrownBy(() => encode({ list }));
    expect(error).toBeInstanceOf(ResultEncodeError);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"The result could not be encoded: reading result.list[0] threw RangeError: gone"`,
    );
  });

  it("names the Map key of a value whose getter throws", () => {
    const value = new Map([
      [
        "k",
        {
          get x(): number {
            throw new Error("bad");
          },
        },
      ],
    ]);
    expect(() => encode(value)).toThrowErrorMatchingInlineSnapshot(
      `[ResultEncodeError: The result could not be encoded: reading result.get("k").x threw Error: bad]`,
    );
  });

  it("describes a thrown non-Error by its string form", () => {
    const value = {
      get a(): number {
        throw "plain text";
      },
    };
    expect(() => encode(value)).toThrowErrorMatchingInlineSnapshot(
      `[ResultEncodeError: The result could not be encoded: reading result.a threw plain text]`,
    );
  });

  it("names the path of a toJSON that throws", () => {
    const value = {
      items: [
        {
          toJSON() {
            throw new TypeError("cannot serialise");
          },
        },
      ],
    };
    expect(() => encode(value)).toThrowErrorMatchingInlineSnapshot(
      `[ResultEncodeError: The result could not be encoded: result.items[0].toJSON() threw TypeError: cannot serialise]`,
    );
  });

  it("names the path of a proxy whose key listing throws", () => {
    const value = {
      p: new Proxy(
        {},
        {
          ownKeys() {
            throw new Error("no keys");
          },
        },
      ),
    };
    expect(() => encode(value)).toThrowErrorMatchingInlineSnapshot(
      `[ResultEncodeError: The result could not be encoded: listing the keys of result.p threw Error: no keys]`,
    );
  });

  it("names the path of a revoked proxy", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const error = thrownBy(() => encode({ a: [proxy] }));
    expect(error).toBeInstanceOf(ResultEncodeError);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"The result could not be encoded: encoding result.a[0] threw TypeError: Cannot perform 'getPrototypeOf' on a proxy that has been revoked"`,
    );
  });

  it("reports a revoked proxy at the top level as a ResultEncodeError", () => {
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    expect(() => encode(proxy)).toThrow(ResultEncodeError);
  });

  it("names the path when a proxied array's length trap throws", () => {
    const list = new Proxy([1, 2], {
      get(target, key, receiver) {
        if (key === "length") throw new Error("no length");
        return Reflect.get(target, key, receiver);
      },
    });
    expect(() => encode({ list })).toThrowErrorMatchingInlineSnapshot(
      `[ResultEncodeError: The result could not be encoded: encoding result.list threw Error: no length]`,
    );
  });

  it("names the path when a Set's own iterator throws", () => {
    const set = new Set([1]);
    Object.defineProperty(set, Symbol.iterator, {
      value: () => {
        throw new Error("no iteration");
      },
    });
    expect(() => encode({ set })).toThrowErrorMatchingInlineSnapshot(
      `[ResultEncodeError: The result could not be encoded: encoding result.set threw Error: no iteration]`,
    );
  });

  it("passes a LimitError thrown while encoding through unchanged", () => {
    const limit = new LimitError("timeout", "out of time");
    const value = {
      a: {
        toJSON() {
          throw limit;
        },
      },
    };
    expect(thrownBy(() => encode(value))).toBe(limit);
  });
});

describe("encodeResult: toJSON and size accounting", () => {
  it("leaves out a member whose toJSON returns undefined, as JSON.stringify does", () => {
    expect(encode({ a: 1, b: { toJSON: () => undefined } })).toBe('{"a":1}');
    expect(encode([{ toJSON: () => undefined }])).toBe("[null]");
    expect(encode(new Map([["k", { toJSON: () => undefined }]]))).toBe("{}");
  });

  it("treats a top-level toJSON returning undefined as no result", () => {
    expect(encode({ toJSON: () => undefined })).toBeUndefined();
  });

  it("calls toJSON once, like JSON.stringify, even when it returns itself", () => {
    const value = {
      n: 1,
      toJSON() {
        return this;
      },
    };
    expect(encode(value)).toBe('{"n":1,"toJSON":"[Function: toJSON]"}');
  });

  it("encodes a SharedArrayBuffer as its bytes", () => {
    const shared = new SharedArrayBuffer(2);
    new Uint8Array(shared).set([4, 5]);
    expect(encode(shared)).toBe("[4,5]");
  });

  it("counts the budget in UTF-8 bytes, not UTF-16 units", () => {
    // 10 three-byte characters plus quotes: 32 bytes of JSON, but only 12 UTF-16 units.
    const text = "€".repeat(10);
    expect(encodeResult(text, { resultBytes: 32, resultDepth: 10 })).toBe(`"${text}"`);
    expect(() => encodeResult(text, { resultBytes: 31, resultDepth: 10 })).toThrow(LimitError);
  });
});
