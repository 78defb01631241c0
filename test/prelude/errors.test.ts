import { describe, expect, it } from "vitest";
import { describeThrown, isResourceExhaustion, LimitError } from "../../runtime-prelude/errors";
import { thrownBy } from "./helpers";

function overflowTheStack(): unknown {
  const recurse = (depth: number): number => recurse(depth + 1) + 1;
  return thrownBy(() => recurse(0));
}

function parsedProps(thrown: unknown): unknown {
  const { props } = describeThrown(thrown);
  return props === undefined ? undefined : JSON.parse(props);
}

describe("LimitError", () => {
  it("is named after its kind", () => {
    expect(new LimitError("timeout", "late").name).toBe("TimeoutError");
    expect(new LimitError("resource", "big").name).toBe("ResourceError");
    expect(new LimitError("resource", "big", "MemoryError").name).toBe("MemoryError");
  });

  it("is an Error with its kind and message", () => {
    const error = new LimitError("resource", "too much");
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ kind: "resource", message: "too much" });
  });
});

describe("describeThrown: errors", () => {
  it("describes a built-in error as a runtime error with its name, message and stack", () => {
    const error = new TypeError("x is not a function");
    expect(describeThrown(error)).toEqual({
      kind: "runtime",
      name: "TypeError",
      message: "x is not a function",
      stack: error.stack,
      props: undefined,
    });
    expect(describeThrown(error).stack).toContain("TypeError: x is not a function");
  });

  it("describes an Error subclass by its own name and keeps its custom properties as JSON text", () => {
    class ValidationError extends Error {
      override name = "ValidationError";
      constructor(
        message: string,
        readonly code: string,
        readonly details: object,
      ) {
        super(message);
      }
    }
    const described = describeThrown(new ValidationError("bad email", "E_EMAIL", { field: "email", min: 3 }));
    expect(described).toMatchObject({ kind: "runtime", name: "ValidationError", message: "bad email" });
    expect(described.props).toBe('{"code":"E_EMAIL","details":{"field":"email","min":3}}');
  });

  it("keeps only the properties JSON can hold", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = Object.assign(new Error("mixed"), {
      code: 42,
      when: new Date(Date.UTC(2020, 0, 1)),
      list: [1, "two", null],
      big: 10n,
      fn: () => 1,
      missing: undefined,
      cyclic,
    });
    Object.defineProperty(error, "broken", {
      enumerable: true,
      get() {
        throw new Error("getter fails");
      },
    });
    expect(parsedProps(error)).toEqual({ code: 42, when: "2020-01-01T00:00:00.000Z", list: [1, "two", null] });
  });

  it("leaves out non-enumerable properties and the cause", () => {
    const error = new Error("outer", { cause: new Error("inner") });
    Object.defineProperty(error, "hidden", { value: 1, enumerable: false });
    expect(describeThrown(error).props).toBeUndefined();
  });

  it("skips workerd's remote marker and the standard fields even when they are own and enumerable", () => {
    const error = Object.assign(new Error("from rpc"), { remote: true, stack: "s", code: "E_RPC" });
    expect(describeThrown(error).props).toBe('{"code":"E_RPC"}');
  });

  it("keeps an own __proto__ property as data", () => {
    const error = new Error("proto");
    Object.defineProperty(error, "__proto__", { value: { admin: true }, enumerable: true });
    const { props } = describeThrown(error);
    expect(props).toBe('{"__proto__":{"admin":true}}');
    const parsed: unknown = JSON.parse(props ?? "null");
    expect(Object.getOwnPropertyNames(parsed)).toEqual(["__proto__"]);
  });

  it("falls back when the name, message or stack getters throw", () => {
    const error = new Error("hidden");
    for (const key of ["name", "message", "stack"]) {
      Object.defineProperty(error, key, {
        get() {
          throw new Error(`no ${key}`);
        },
      });
    }
    expect(describeThrown(error)).toEqual({
      kind: "runtime",
      name: "Error",
      message: "",
      stack: undefined,
      props: undefined,
    });
  });

  it("turns a name or message that is not a string into a string", () => {
    const error = Object.assign(new Error(), { name: 42, message: { toString: () => "custom" } });
    expect(describeThrown(error)).toMatchObject({ name: "42", message: "custom", props: undefined });
  });

  it("describes an error whose own keys cannot be listed, without its properties", () => {
    const error = new Proxy(new RangeError("proxied"), {
      ownKeys() {
        throw new Error("no keys");
      },
    });
    expect(describeThrown(error)).toMatchObject({ kind: "runtime", name: "RangeError", message: "proxied" });
    expect(describeThrown(error).props).toBeUndefined();
  });
});

describe("describeThrown: limits and exhaustion", () => {
  it.each([
    ["timeout", "TimeoutError"],
    ["resource", "ResourceError"],
  ] as const)("describes a %s LimitError with its kind and without properties", (kind, name) => {
    const error = Object.assign(new LimitError(kind, "stopped"), { extra: 1 });
    expect(describeThrown(error)).toEqual({ kind, name, message: "stopped", stack: error.stack });
  });

  it("describes a real stack overflow as a resource error", () => {
    expect(describeThrown(overflowTheStack())).toMatchObject({
      kind: "resource",
      name: "RangeError",
      message: "Maximum call stack size exceeded",
    });
  });

  it("describes a real Invalid string length as a resource error", () => {
    const error = thrownBy(() => "x".repeat(2 ** 31));
    expect(describeThrown(error)).toMatchObject({ kind: "resource", name: "RangeError" });
    expect(describeThrown(error).message).toContain("Invalid string length");
  });

  it("describes other RangeErrors as runtime errors", () => {
    const error = thrownBy(() => new Array(-1));
    expect(describeThrown(error)).toMatchObject({
      kind: "runtime",
      name: "RangeError",
      message: "Invalid array length",
    });
  });
});

describe("describeThrown: values that are not errors", () => {
  it.each<[string, unknown, string]>([
    ["a string", "boom", "boom"],
    ["an empty string", "", ""],
    ["a number", 42, "42"],
    ["a BigInt", 12n, "12"],
    ["a boolean", false, "false"],
    ["null", null, "null"],
    ["undefined", undefined, "undefined"],
    ["a symbol", Symbol("why"), "Symbol(why)"],
    ["an array", [1, "a"], "1,a"],
    ["a plain object, as JSON", { code: 1, nested: { ok: [true] } }, '{"code":1,"nested":{"ok":[true]}}'],
    ["an object with its own toString", { toString: () => "custom text" }, "custom text"],
    [
      "a cyclic object, by its tag",
      (() => {
        const value: Record<string, unknown> = {};
        value.self = value;
        return value;
      })(),
      "[object Object]",
    ],
    ["an object holding a BigInt, by its tag", { big: 1n }, "[object Object]"],
    ["an object without a prototype, as JSON", Object.assign(Object.create(null), { code: "E" }), '{"code":"E"}'],
    [
      "an object whose toString throws, as JSON",
      {
        toString: () => {
          throw new Error("no");
        },
        code: 7,
      },
      '{"code":7}',
    ],
  ])("describes a thrown %s as an Error with its string form", (_, thrown, message) => {
    expect(describeThrown(thrown)).toMatchObject({ kind: "runtime", name: "Error", message });
    expect(describeThrown(thrown).stack).toBeUndefined();
  });

  it("keeps the own properties of a thrown plain object", () => {
    expect(describeThrown({ code: "E_PLAIN", count: 2, fn: () => 1 }).props).toBe('{"code":"E_PLAIN","count":2}');
  });

  it("has no properties for a thrown primitive", () => {
    expect(describeThrown("text").props).toBeUndefined();
    expect(describeThrown(7).props).toBeUndefined();
  });
});

describe("isResourceExhaustion", () => {
  it.each<[string, unknown, boolean]>([
    ["a real stack overflow", overflowTheStack(), true],
    ["Invalid string length", new RangeError("Invalid string length"), true],
    ["Array buffer allocation failed", new RangeError("Array buffer allocation failed"), true],
    ["Map maximum size exceeded", new RangeError("Map maximum size exceeded"), true],
    ["Set maximum size exceeded", new RangeError("Set maximum size exceeded"), true],
    ["Out of memory", new RangeError("Out of memory"), true],
    ["an exhaustion message inside a longer one", new RangeError("x: Invalid string length (y)"), true],
    ["another RangeError", new RangeError("Invalid array length"), false],
    [
      "an exhaustion message on an Error that is not a RangeError",
      new Error("Maximum call stack size exceeded"),
      false,
    ],
    ["a string", "Maximum call stack size exceeded", false],
    ["a resource LimitError", new LimitError("resource", "Out of memory"), false],
  ])("says whether %s means the isolate ran out", (_, error, expected) => {
    expect(isResourceExhaustion(error)).toBe(expected);
  });
});
