import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../shared/protocol";
import { boundLogs } from "../../src/functions/runs";

const entry = (message: string): LogEntry => ({ level: "log", message, ms: 0 });

describe("boundLogs", () => {
  it("keeps every entry that fits", () => {
    const logs = [entry("a"), entry("b")];
    expect(boundLogs(logs, 1024)).toEqual({ kept: logs, dropped: 0 });
  });

  it("keeps the entries that fit in order, cuts the next one and counts the rest as dropped", () => {
    const logs = Array.from({ length: 100 }, (_, index) => entry(`line ${index} ${"x".repeat(20)}`));
    const { kept, dropped } = boundLogs(logs, 1024);
    expect(kept.length + dropped).toBe(100);
    expect(dropped).toBeGreaterThan(0);
    expect(kept.slice(0, -1)).toEqual(logs.slice(0, kept.length - 1));
    expect(new TextEncoder().encode(JSON.stringify(kept)).byteLength).toBeLessThanOrEqual(1024);
  });

  it("cuts one huge entry to the room left, in bytes, even for multi-byte text", () => {
    for (const char of ["x", "é", "😀", "\u0001"]) {
      const { kept, dropped } = boundLogs([entry(char.repeat(10_000))], 512);
      expect(dropped).toBe(0);
      expect(kept[0]?.message.endsWith("… [cut]")).toBe(true);
      expect(new TextEncoder().encode(JSON.stringify(kept)).byteLength).toBeLessThanOrEqual(512);
    }
  });
});
