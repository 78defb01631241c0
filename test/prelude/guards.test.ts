/**
 * The allocation guards patch this realm's globals for good, so every guard test lives in this one
 * file (vitest runs each file in its own isolate). vitest itself runs on the patched globals too:
 * a run is current only inside `during()`, which keeps assertions outside the charged window.
 */

import { describe, expect, it } from "vitest";
import { LimitError } from "../../runtime-prelude/errors";
import { installAllocationGuards } from "../../runtime-prelude/guards";
import { ALLOCATION_HEADROOM, RunState } from "../../runtime-prelude/run-state";
import { DEFAULT_LIMITS, sandboxLimits } from "../../shared/limits";

const KiB = 1024;
const MiB = 1024 * KiB;
const WASM_PAGE = 64 * KiB;

const unguarded = {
  ArrayBuffer: globalThis.ArrayBuffer,
  Uint8Array: globalThis.Uint8Array,
  Array: globalThis.Array,
  fill: Array.prototype.fill,
  globalUint8Array: Object.getOwnPropertyDescriptor(globalThis, "Uint8Array"),
  prototypeFill: Object.getOwnPropertyDescriptor(Array.prototype, "fill"),
};

let active: RunState | undefined;
installAllocationGuards(() => active);

type Charge = [bytes: number, what: string];

/** A run with a small memory budget whose charges are recorded as they are made. */
function createRun(memoryBytes = 1 * MiB): { run: RunState; charges: Charge[] } {
  const run = new RunState(10_000, { ...sandboxLimits(DEFAULT_LIMITS), memoryBytes });
  const charges: Charge[] = [];
  const allocate = run.allocate.bind(run);
  run.allocate = (bytes: number, what: string) => {
    charges.push([bytes, what]);
    allocate(bytes, what);
  };
  return { run, charges };
}

/** Runs `fn` synchronously with `run` as the current run. */
function during<T>(run: RunState, fn: () => T): T {
  active = run;
  try {
    return fn();
  } finally {
    active = undefined;
  }
}

/** The charges `fn` makes against a fresh run with plenty of budget. */
function chargesOf(fn: () => unknown): Charge[] {
  const { run, charges } = createRun(128 * MiB);
  during(run, fn);
  return charges;
}

/** Runs `fn` in a fresh run of `memoryBytes` and returns what it threw. */
function refusal(memoryBytes: number, fn: () => unknown): unknown {
  const { run } = createRun(memoryBytes);
  try {
    during(run, fn);
  } catch (error) {
    return error;
  }
  throw new Error("expected the allocation to be refused, but it succeeded");
}

describe("installAllocationGuards: ArrayBuffer", () => {
  it("charges new ArrayBuffer(n) n bytes", () => {
    expect(chargesOf(() => new ArrayBuffer(4096))).toEqual([[4096, "new ArrayBuffer()"]]);
  });

  it("charges a resizable ArrayBuffer its maximum length", () => {
    expect(chargesOf(() => new ArrayBuffer(8, { maxByteLength: 4096 }))).toEqual([[4096, "new ArrayBuffer()"]]);
  });

  it("charges growing a resizable ArrayBuffer by the growth only", () => {
    const buffer = new ArrayBuffer(100, { maxByteLength: 1000 });
    expect(chargesOf(() => buffer.resize(300))).toEqual([[200, "resize()"]]);
    expect(chargesOf(() => buffer.resize(50))).toEqual([]);
    expect(buffer.byteLength).toBe(50);
  });

  it("charges ArrayBuffer#transfer its new length", () => {
    const buffer = new ArrayBuffer(10);
    expect(chargesOf(() => buffer.transfer(2048))).toEqual([[2048, "transfer()"]]);
  });

  it("refuses an ArrayBuffer over the memory limit with a resource LimitError", () => {
    const error = refusal(1 * MiB, () => new ArrayBuffer(2 * MiB));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ kind: "resource", name: "ResourceError" });
    expect((error as LimitError).message).toMatchInlineSnapshot(
      `"Memory limit exceeded: new ArrayBuffer() of 2.0 MiB would bring this run's bulk allocations to 2.0 MiB (limit: 1.0 MiB at once, 8.0 MiB in total)."`,
    );
  });

  it("refuses an ArrayBuffer that would bring the run's total past the headroom", () => {
    const { run } = createRun(1 * MiB);
    during(run, () => {
      for (let i = 0; i < ALLOCATION_HEADROOM; i++) new ArrayBuffer(1 * MiB);
    });
    expect(() => during(run, () => new ArrayBuffer(1))).toThrow(LimitError);
  });

  it("lets the code catch a refusal and go on, without ending the run", () => {
    const { run } = createRun(1 * MiB);
    const outcome = during(run, () => {
      try {
        new ArrayBuffer(64 * MiB);
        return "allocated";
      } catch (error) {
        return error instanceof LimitError ? `caught, then ${new ArrayBuffer(16).byteLength}` : "other";
      }
    });
    expect(outcome).toBe("caught, then 16");
    expect(run.ended).toBeUndefined();
  });

  it("still throws V8's own errors for invalid lengths", () => {
    expect(() => chargesOf(() => new ArrayBuffer(-1))).toThrow(RangeError);
  });
});

describe("installAllocationGuards: typed arrays", () => {
  it.each<[string, new (length: number) => ArrayLike<number | bigint>, number]>([
    ["Int8Array", Int8Array, 1],
    ["Uint8Array", Uint8Array, 1],
    ["Uint8ClampedArray", Uint8ClampedArray, 1],
    ["Int16Array", Int16Array, 2],
    ["Uint16Array", Uint16Array, 2],
    ["Int32Array", Int32Array, 4],
    ["Uint32Array", Uint32Array, 4],
    ["Float32Array", Float32Array, 4],
    ["Float64Array", Float64Array, 8],
    ["BigInt64Array", BigInt64Array, 8],
    ["BigUint64Array", BigUint64Array, 8],
  ])("charges new %s(n) n times %d bytes", (name, ctor, width) => {
    let length = 0;
    expect(chargesOf(() => (length = new ctor(100).length))).toEqual([[100 * width, `new ${name}()`]]);
    expect(length).toBe(100);
  });

  it("charges a typed array built from an array or array-like by its length", () => {
    expect(chargesOf(() => new Uint16Array([1, 2, 3]))).toEqual([[6, "new Uint16Array()"]]);
    expect(chargesOf(() => new Float64Array({ length: 4 }))).toEqual([[32, "new Float64Array()"]]);
  });

  it("charges a typed array copied from another typed array", () => {
    const source = new Uint8Array(5);
    expect(chargesOf(() => new Int32Array(source))).toEqual([[20, "new Int32Array()"]]);
  });

  it("charges nothing for a typed array over an existing ArrayBuffer", () => {
    const buffer = new ArrayBuffer(64);
    let views: ArrayLike<number>[] = [];
    expect(chargesOf(() => (views = [new Uint8Array(buffer), new Float32Array(buffer, 8, 4)]))).toEqual([]);
    expect(views.map((view) => view.length)).toEqual([64, 4]);
  });

  it("charges a function with a large length like any other array-like", () => {
    const arrayLike = Object.defineProperty(() => 0, "length", { value: 1000 });
    let length = 0;
    expect(chargesOf(() => (length = new Uint32Array(arrayLike as unknown as ArrayLike<number>).length))).toEqual([
      [4000, "new Uint32Array()"],
    ]);
    expect(length).toBe(1000);
  });

  it("charges a length given as a string like a number", () => {
    expect(chargesOf(() => new Float64Array("1000" as unknown as number))).toEqual([[8000, "new Float64Array()"]]);
  });

  it("refuses a typed array over the memory limit before allocating it", () => {
    const error = refusal(128 * MiB, () => new Float64Array(2 ** 30));
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).message).toContain("new Float64Array() of 8.0 GiB");
  });

  it("refuses a typed array whose length is a numeric string over the memory limit", () => {
    expect(refusal(1 * MiB, () => new Float64Array(String(1 * MiB) as unknown as number))).toBeInstanceOf(LimitError);
  });

  it("charges Uint8Array.from and Uint8Array.of through the guarded constructor", () => {
    expect(chargesOf(() => Uint8Array.from([1, 2, 3]))).toEqual([[3, "new Uint8Array()"]]);
    expect(chargesOf(() => Int16Array.of(1, 2))).toEqual([[4, "new Int16Array()"]]);
  });
});

describe("installAllocationGuards: arrays", () => {
  it("charges the first fill of an Array(n) with n >= 1024, 8 bytes per element", () => {
    expect(chargesOf(() => new Array(2048).fill(0))).toEqual([[16 * KiB, "fill()"]]);
    expect(chargesOf(() => Array(1024).fill(0))).toEqual([[8 * KiB, "fill()"]]);
  });

  it("charges nothing for filling a small Array(n)", () => {
    expect(chargesOf(() => new Array(1023).fill(0))).toEqual([]);
  });

  it("charges nothing for creating an Array(n) before it is filled", () => {
    expect(chargesOf(() => new Array(2 ** 31))).toEqual([]);
  });

  it("charges only the first fill of an array", () => {
    expect(
      chargesOf(() => {
        const array = new Array(2048);
        array.fill(0);
        array.fill(1);
      }),
    ).toEqual([[16 * KiB, "fill()"]]);
  });

  it("charges a fill by the span it covers", () => {
    expect(chargesOf(() => new Array(4096).fill(0, 1024, 2048))).toEqual([[8 * KiB, "fill()"]]);
    expect(chargesOf(() => new Array(4096).fill(0, -1024))).toEqual([[8 * KiB, "fill()"]]);
  });

  it("charges nothing for filling arrays that were not created as Array(n)", () => {
    expect(
      chargesOf(() => {
        [1, 2, 3].fill(0);
        // Through the constructor on purpose: a literal would not exercise the guarded Array.
        (Reflect.construct(Array, [2048, 1]) as unknown[]).fill(0);
        (Reflect.construct(Array, ["2048"]) as unknown[]).fill(0);
      }),
    ).toEqual([]);
  });

  it("refuses filling an Array(n) too large for the memory limit, leaving it unfilled", () => {
    const array = during(createRun().run, () => new Array(1e9));
    const { run } = createRun(128 * MiB);
    const error = (() => {
      try {
        during(run, () => array.fill(0));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).message).toContain("fill() of 7.5 GiB");
    expect(0 in array).toBe(false);
  });

  it("still charges a fill retried after a refused one", () => {
    const { run } = createRun(1 * MiB);
    const array = during(run, () => new Array(1 * MiB));
    expect(() => during(run, () => array.fill(0))).toThrow(LimitError);
    expect(() => during(run, () => array.fill(0))).toThrow(LimitError);
  });

  it("charges Array.from with an array-like 8 bytes per element", () => {
    expect(chargesOf(() => Array.from({ length: 1000 }))).toEqual([[8000, "from()"]]);
    expect(chargesOf(() => Array.from([1, 2, 3]))).toEqual([[24, "from()"]]);
  });

  it("charges Array.from with a function of a large length like any other array-like", () => {
    const arrayLike = Object.defineProperty(() => 0, "length", { value: 1000 });
    expect(chargesOf(() => Array.from(arrayLike as unknown as ArrayLike<unknown>))).toEqual([[8000, "from()"]]);
  });

  it("refuses Array.from with a huge length before iterating", () => {
    const started = performance.now();
    expect(refusal(128 * MiB, () => Array.from({ length: 1e9 }, (_, i) => i))).toBeInstanceOf(LimitError);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("charges an Array subclass like Array", () => {
    class Stack extends Array<number> {}
    expect(chargesOf(() => new Stack(2048).fill(0))).toEqual([[16 * KiB, "fill()"]]);
  });
});

describe("installAllocationGuards: copies", () => {
  it("charges the array-copying methods for the new array, from 1,024 elements", () => {
    const large = new unguarded.Array(2048).fill(0) as number[];
    expect(
      chargesOf(() => {
        large.toReversed();
        large.toSorted();
        large.toSpliced(0, 1);
        large.with(0, 1);
        [3, 1, 2].toSorted();
      }),
    ).toEqual([
      [2048 * 8, "toReversed()"],
      [2048 * 8, "toSorted()"],
      [2048 * 8, "toSpliced()"],
      [2048 * 8, "with()"],
    ]);
  });

  it("refuses a copy of an array past the limit before making it", () => {
    const error = refusal(1 * MiB, () => Array(2 ** 20).toReversed());
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).message).toMatch(/^Memory limit exceeded: toReversed\(\) of 8\.0 MiB/);
  });

  it("charges typed array copies and structuredClone by their bytes", () => {
    const bytes = new unguarded.Uint8Array(4096);
    const buffer = new unguarded.ArrayBuffer(1000);
    expect(
      chargesOf(() => {
        bytes.toReversed();
        bytes.toSorted();
        bytes.with(0, 1);
        structuredClone(buffer);
        structuredClone(bytes);
        structuredClone({ a: 1 });
      }),
    ).toEqual([
      [4096, "toReversed()"],
      [4096, "toSorted()"],
      [4096, "with()"],
      [1000, "structuredClone()"],
      [4096, "structuredClone()"],
    ]);
  });

  it("keeps the copies' results", () => {
    expect([1, 2, 3].toReversed()).toEqual([3, 2, 1]);
    expect(Array.from(Uint8Array.from([3, 1, 2]).toSorted())).toEqual([1, 2, 3]);
    expect(structuredClone({ a: [1] })).toEqual({ a: [1] });
  });
});

describe("installAllocationGuards: strings", () => {
  it("charges String#repeat the length of the result", () => {
    let text = "";
    expect(chargesOf(() => (text = "ab".repeat(1000)))).toEqual([[2000, "repeat()"]]);
    expect(text).toHaveLength(2000);
  });

  it("charges String#padStart and String#padEnd the padding they add", () => {
    let padded: string[] = [];
    expect(chargesOf(() => (padded = ["abc".padStart(10, "-"), "abc".padEnd(6)]))).toEqual([
      [7, "padStart()"],
      [3, "padEnd()"],
    ]);
    expect(padded).toEqual(["-------abc", "abc   "]);
  });

  it("charges nothing for an empty repeat or a pad shorter than the string", () => {
    expect(chargesOf(() => ["x".repeat(0), "abcdef".padStart(3), "abc".padEnd(Number.NaN)])).toEqual([]);
  });

  it("charges repeat called on a non-string by its string form", () => {
    expect(chargesOf(() => String.prototype.repeat.call(123, 3))).toEqual([[9, "repeat()"]]);
  });

  it("refuses a repeat past the memory limit before building the string", () => {
    const error = refusal(128 * MiB, () => "x".repeat(2 ** 28));
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).message).toContain("repeat() of 256.0 MiB");
  });

  it("refuses a repeat loop once the run's total passes the headroom", () => {
    const { run } = createRun(1 * MiB);
    let rounds = 0;
    const error = (() => {
      try {
        during(run, () => {
          for (;;) {
            "y".repeat(1 * MiB);
            rounds++;
          }
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(LimitError);
    expect(rounds).toBe(ALLOCATION_HEADROOM);
  });
});

describe("installAllocationGuards: WebAssembly.Memory", () => {
  it("charges new WebAssembly.Memory its initial pages", () => {
    expect(chargesOf(() => new WebAssembly.Memory({ initial: 2 }))).toEqual([[2 * WASM_PAGE, "new Memory()"]]);
  });

  it("charges Memory#grow the pages it adds", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 10 });
    let previous = -1;
    expect(chargesOf(() => (previous = memory.grow(3)))).toEqual([[3 * WASM_PAGE, "grow()"]]);
    expect(previous).toBe(1);
    expect(memory.buffer.byteLength).toBe(4 * WASM_PAGE);
  });

  it("refuses a Memory whose initial size is over the memory limit", () => {
    expect(refusal(2 * WASM_PAGE, () => new WebAssembly.Memory({ initial: 3 }))).toBeInstanceOf(LimitError);
  });

  it("refuses growing a Memory past the run's total, leaving it as it was", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    expect(refusal(WASM_PAGE, () => memory.grow(2))).toBeInstanceOf(LimitError);
    expect(memory.buffer.byteLength).toBe(WASM_PAGE);
  });
});

describe("installAllocationGuards: outside a run", () => {
  it("charges nothing and refuses nothing when there is no current run", () => {
    expect(() => {
      new ArrayBuffer(2 * MiB);
      new Float64Array(256 * KiB);
      new Array(256 * KiB).fill(0);
      Array.from({ length: 256 * KiB });
      "x".repeat(2 * MiB).padEnd(3 * MiB);
      new WebAssembly.Memory({ initial: 64 }).grow(1);
    }).not.toThrow();
  });

  it("does not charge a run for filling an array created outside any run", () => {
    const array = new Array(4096);
    expect(chargesOf(() => array.fill(0))).toEqual([]);
  });

  it("charges each allocation to the run that is current when it happens", () => {
    const first = createRun(1 * MiB);
    const second = createRun(1 * MiB);
    during(first.run, () => new ArrayBuffer(1000));
    during(second.run, () => "z".repeat(10));
    during(first.run, () => new Uint8Array(24));
    expect(first.charges).toEqual([
      [1000, "new ArrayBuffer()"],
      [24, "new Uint8Array()"],
    ]);
    expect(second.charges).toEqual([[10, "repeat()"]]);
  });
});

describe("installAllocationGuards: built-ins keep behaving normally", () => {
  it("keeps instanceof, constructor identity and prototypes of typed arrays and buffers", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.constructor === Uint8Array).toBe(true);
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(Uint8Array.prototype).toBe(unguarded.Uint8Array.prototype);
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    expect(bytes.buffer.constructor === ArrayBuffer).toBe(true);
    expect(ArrayBuffer.isView(bytes)).toBe(true);
    expect(new unguarded.Uint8Array(1)).toBeInstanceOf(Uint8Array);
    expect(new unguarded.ArrayBuffer(1)).toBeInstanceOf(ArrayBuffer);
  });

  it("actually replaces the global constructors and methods", () => {
    expect(Uint8Array).not.toBe(unguarded.Uint8Array);
    expect(Array).not.toBe(unguarded.Array);
    expect(Array.prototype.fill).not.toBe(unguarded.fill);
  });

  it("keeps the property attributes of what it replaces", () => {
    expect(Object.getOwnPropertyDescriptor(globalThis, "Uint8Array")).toEqual({
      ...unguarded.globalUint8Array,
      value: Uint8Array,
    });
    expect(Object.getOwnPropertyDescriptor(Array.prototype, "fill")).toEqual({
      ...unguarded.prototypeFill,
      value: Array.prototype.fill,
    });
    const keys: string[] = [];
    for (const key in [1]) keys.push(key);
    expect(keys).toEqual(["0"]);
  });

  it("keeps the names and lengths of guarded methods", () => {
    expect(
      [Array.prototype.fill, Array.from, String.prototype.repeat, String.prototype.padEnd].map((fn) => [
        fn.name,
        fn.length,
      ]),
    ).toEqual([
      ["fill", 1],
      ["from", 1],
      ["repeat", 1],
      ["padEnd", 1],
    ]);
  });

  it("keeps subclassing typed arrays working", () => {
    class Bytes extends Uint8Array {
      first(): number | undefined {
        return this[0];
      }
    }
    let bytes: Bytes | undefined;
    let copied: Uint8Array | undefined;
    const charges = chargesOf(() => {
      bytes = new Bytes([5, 6]);
      copied = Bytes.from([7]);
    });
    expect(charges).toEqual([
      [2, "new Uint8Array()"],
      [1, "new Uint8Array()"],
    ]);
    expect(bytes).toBeInstanceOf(Bytes);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes?.constructor === Bytes).toBe(true);
    expect(bytes?.first()).toBe(5);
    expect(copied).toBeInstanceOf(Bytes);
    expect(bytes?.slice(1)).toBeInstanceOf(Bytes);
  });

  it("keeps typed array methods that build new arrays working", () => {
    const bytes = Uint8Array.from([1, 2, 3]);
    expect(Array.from(bytes.map((n) => n * 2))).toEqual([2, 4, 6]);
    expect(bytes.slice(1)).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes.subarray(1))).toEqual([2, 3]);
    expect(Array.from(Uint8Array.of(9))).toEqual([9]);
    expect(structuredClone(bytes)).toBeInstanceOf(Uint8Array);
  });

  it("still requires new for typed array constructors", () => {
    const call = Uint8Array as unknown as (length: number) => unknown;
    expect(() => call(1)).toThrow(TypeError);
  });

  it("keeps Array behaving like Array", () => {
    expect(Array.isArray([])).toBe(true);
    expect(Array.isArray(new Array(3))).toBe(true);
    expect(Array.isArray(Array(3))).toBe(true);
    expect([]).toBeInstanceOf(Array);
    expect([].constructor === Array).toBe(true);
    expect(Object.getPrototypeOf(new Array(2))).toBe(Array.prototype);
    expect(Array(3)).toHaveLength(3);
    expect(Reflect.apply(Array, undefined, [1, 2])).toEqual([1, 2]);
    expect(Reflect.construct(Array, ["3"])).toEqual(["3"]);
    expect(Array.of(1, 2)).toEqual([1, 2]);
    expect(Array.from({ length: 3 }, (_, i) => i * i)).toEqual([0, 1, 4]);
    expect([1, 2].map((n) => n * 2)).toEqual([2, 4]);
    expect([1, 2].map((n) => n)).toBeInstanceOf(Array);
    expect(new Array(3).fill(7)).toEqual([7, 7, 7]);
    expect(() => new Array(-1)).toThrow(RangeError);
  });

  it("keeps Array subclasses working", () => {
    class Stack extends Array<number> {
      top(): number | undefined {
        return this[this.length - 1];
      }
    }
    const stack = new Stack();
    stack.push(1, 2);
    expect(stack).toBeInstanceOf(Stack);
    expect(stack).toBeInstanceOf(Array);
    expect(Array.isArray(stack)).toBe(true);
    expect(stack.top()).toBe(2);
    expect(Stack.from([3])).toBeInstanceOf(Stack);
    expect(stack.map((n) => n)).toBeInstanceOf(Stack);
  });

  it("keeps WebAssembly.Memory instances recognisable", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(memory).toBeInstanceOf(WebAssembly.Memory);
    expect(memory.constructor === WebAssembly.Memory).toBe(true);
    expect(memory.buffer.byteLength).toBe(WASM_PAGE);
  });
});
