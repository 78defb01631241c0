import { describe, expect, it } from "vitest";
import { LogBridge, ToolBridge, ToolCallRefusedError } from "../../src/invoke/bridges";
import { ConcurrencyGate } from "../../src/invoke/gate";

describe("ToolBridge", () => {
  const tools = {
    add: (a: number, b: number) => a + b,
    later: async () => "later",
  };

  it("forwards a call to the tool of that name", () => {
    expect(new ToolBridge(tools).call("add", [2, 3])).toBe(5);
  });

  it("awaits results for callers whose stubs cannot cross Workers RPC", async () => {
    const result = new ToolBridge(tools, true).call("add", [1, 1]);
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe(2);
  });

  it("names a tool that does not exist", () => {
    expect(() => new ToolBridge(tools).call("nope", [])).toThrow('The caller has no tool named "nope".');
  });

  it("refuses every call once the run has settled", () => {
    const bridge = new ToolBridge(tools);
    bridge.close();
    expect(() => bridge.call("add", [1, 2])).toThrow(ToolCallRefusedError);
    expect(() => bridge.call("add", [1, 2])).toThrow(
      "$.tools.add() came after the run settled; tool calls end with the run.",
    );
  });

  it("releases the caller's stub when it closes", () => {
    let disposed = 0;
    const stub = { [Symbol.dispose]: () => disposed++ };
    new ToolBridge(stub).close();
    expect(disposed).toBe(1);
  });
});

describe("LogBridge", () => {
  it("passes entries on in order, and nothing after it is closed", async () => {
    const seen: string[] = [];
    const bridge = new LogBridge((entry) => seen.push(entry.message));
    await bridge.write([
      { level: "log", message: "a", ms: 0 },
      { level: "warn", message: "b", ms: 1 },
    ]);
    bridge.close();
    await bridge.write([{ level: "log", message: "c", ms: 2 }]);
    expect(seen).toEqual(["a", "b"]);
  });
});

describe("ConcurrencyGate", () => {
  it("runs at most its limit of tasks at once, and all of them in the end", async () => {
    const gate = new ConcurrencyGate(2);
    let running = 0;
    let peak = 0;
    const task = async (n: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return n;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => gate.run(() => task(n))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(gate.inFlight).toBe(0);
  });

  it("frees its place when a task fails", async () => {
    const gate = new ConcurrencyGate(1);
    await expect(gate.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await gate.run(async () => "next")).toBe("next");
  });
});
