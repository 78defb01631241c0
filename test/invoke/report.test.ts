import { describe, expect, it } from "vitest";
import { codeFrame, executionJson, syntaxError } from "../../src/invoke/report";

describe("codeFrame", () => {
  it("shows the line with up to two lines before it and a caret under the column", () => {
    expect(
      codeFrame("const a = 1;\nconst b = 2;\nconst c = a.b.c;\nlater()", { line: 3, column: 12 }),
    ).toMatchInlineSnapshot(`
      "  1 | const a = 1;
        2 | const b = 2;
      > 3 | const c = a.b.c;
          |             ^"
    `);
  });

  it("keeps tabs so the caret lines up", () => {
    expect(codeFrame("\tx.y", { line: 1, column: 2 })).toBe("> 1 | \tx.y\n    | \t ^");
  });

  it("pads line numbers to the widest one shown", () => {
    const source = Array.from({ length: 10 }, (_, index) => `line${index + 1}`).join("\n");
    expect(codeFrame(source, { line: 10, column: 0 }).split("\n")).toEqual(
      ["   8 | line8", "   9 | line9", ">  10 | line10", "     | ^"].map((line) => line.replace(">  10", "> 10")),
    );
  });
});

describe("syntaxError", () => {
  it("reports the first diagnostic with a 1-based column, and all of them when there are several", () => {
    const error = syntaxError(
      [
        { message: "first", position: { line: 1, column: 0 }, hint: "fix it" },
        { message: "second", position: { line: 2, column: 3 } },
      ],
      "a\nbcd",
    );
    expect(error).toMatchObject({
      kind: "syntax",
      name: "SyntaxError",
      message: "first",
      line: 1,
      column: 1,
      hint: "fix it",
    });
    expect(error.diagnostics).toEqual([
      { message: "first", line: 1, column: 1, hint: "fix it" },
      {
        message: "second",
        line: 2,
        column: 4,
        hint: "Fix the syntax here: the code must be TypeScript or JavaScript (top-level return and await are allowed).",
      },
    ]);
  });
});

describe("executionJson", () => {
  const base = { logs: [], calls: [], id: "abc", cached: false, timings: { compileMs: 1, runMs: 2, totalMs: 3 } };

  it("splices the sandbox's JSON result in without re-encoding it", () => {
    const text = executionJson({ ok: true, resultJson: '{"a":[1,2]}', ...base });
    expect(text).toBe(
      '{"ok":true,"result":{"a":[1,2]},"logs":[],"calls":[],"id":"abc","cached":false,"timings":{"compileMs":1,"runMs":2,"totalMs":3}}',
    );
    expect(JSON.parse(text).result).toEqual({ a: [1, 2] });
  });

  it("omits the result when the value was undefined", () => {
    expect(JSON.parse(executionJson({ ok: true, ...base }))).not.toHaveProperty("result");
  });

  it("puts the error before the logs when the run failed", () => {
    const text = executionJson({ ok: false, error: { kind: "runtime", name: "Error", message: "x" }, ...base });
    expect(Object.keys(JSON.parse(text))).toEqual(["ok", "error", "logs", "calls", "id", "cached", "timings"]);
  });
});
