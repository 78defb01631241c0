import MagicString from "magic-string";
import { describe, expect, it } from "vitest";
import { decodedMap, PositionTrace } from "../../src/compile/positions";
import { mapStack } from "../../src/sandbox/map-error";

/** A unit whose generated line N+1 is the user's line N (one wrapper line in front). */
function shiftedTrace(source: string): PositionTrace {
  const text = new MagicString(source);
  text.prepend("wrapper();\n");
  return new PositionTrace([{ type: "map", map: decodedMap(text) }]);
}

describe("mapStack", () => {
  const source = "const a = 1;\nfunction f() {\n  null.foo;\n}\nf()";
  const trace = shiftedTrace(source);

  it("maps frames in the unit to the user's code and drops the prelude's", () => {
    const stack = [
      "TypeError: Cannot read properties of null (reading 'foo')",
      "    at f (unit.js:4:8)",
      "    at unit.js:6:1",
      "    at async Sandbox.run (prelude.js:10:88)",
    ].join("\n");
    expect(mapStack(stack, trace, "snippet.ts")).toEqual({
      stack:
        "TypeError: Cannot read properties of null (reading 'foo')\n    at f (snippet.ts:3:8)\n    at snippet.ts:5:1",
      position: { line: 3, column: 7 },
    });
  });

  it("keeps native frames between user frames and drops trailing ones", () => {
    const stack = [
      "Error: x",
      "    at unit.js:4:3",
      "    at Array.forEach (<anonymous>)",
      "    at unit.js:6:1",
      "    at Array.map (<anonymous>)",
    ].join("\n");
    expect(mapStack(stack, trace, "snippet.js").stack).toBe(
      "Error: x\n    at snippet.js:3:3\n    at Array.forEach (<anonymous>)\n    at snippet.js:5:1",
    );
  });

  it("drops frames in generated wrapper code that maps to no user line", () => {
    const stack = "Error: x\n    at default (unit.js:1:2)\n    at unit.js:4:3";
    expect(mapStack(stack, trace, "snippet.js").position).toEqual({ line: 3, column: 2 });
  });

  it("keeps a multi-line message intact", () => {
    const stack = "Error: line one\nline two\n    at unit.js:4:3";
    expect(mapStack(stack, trace, "snippet.js").stack).toBe("Error: line one\nline two\n    at snippet.js:3:3");
  });

  it("returns nothing for a missing stack", () => {
    expect(mapStack(undefined, trace, "snippet.js")).toEqual({});
  });
});
