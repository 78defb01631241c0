import { describe, expect, it } from "vitest";
import { normalizeLineEndings, stripFence } from "../../src/compile/fence";

describe("normalizeLineEndings", () => {
  it.each([
    ["a\r\nb", "a\nb"],
    ["a\rb", "a\nb"],
    ["a\r\n\rb\n", "a\n\nb\n"],
    ["no breaks", "no breaks"],
  ])("turns %j into %j", (input, expected) => {
    expect(normalizeLineEndings(input)).toBe(expected);
  });
});

describe("stripFence", () => {
  it.each([
    ["plain code is left alone", "return 1", "return 1", 0],
    ["a bare fence", "```\nreturn 1\n```", "return 1", 1],
    [
      "a js fence with prose around it",
      "Here you go:\n\n```js\nconst a = 1;\na + 1\n```\nThat adds one.",
      "const a = 1;\na + 1",
      3,
    ],
    ["a tilde fence", "~~~ts\nreturn 2\n~~~", "return 2", 1],
    ["an unclosed fence (a cut-off answer)", "Sure:\n```javascript\nreturn 3", "return 3", 2],
    ["a longer fence containing a shorter one", "````md\n```js\nx\n```\n````", "```js\nx\n```", 1],
    ["an indented fence", "  ```js\nreturn 4\n  ```", "return 4", 1],
  ])("handles %s", (_name, input, code, lineOffset) => {
    const result = stripFence(input);
    expect(result.code).toBe(code);
    expect(result.lineOffset).toBe(lineOffset);
  });

  it("picks the first code block when the answer also shows a shell command", () => {
    const text = "Install nothing:\n```bash\nnpm i\n```\nThen run:\n```ts\nreturn 5\n```";
    expect(stripFence(text)).toEqual({ code: "return 5", lineOffset: 6, typescriptFence: true });
  });

  it.each([
    ["ts", true],
    ["typescript", true],
    ["tsx", true],
    ["js", false],
    ["javascript", false],
    ["", false],
  ])("marks a ```%s fence as TypeScript: %s", (language, typescript) => {
    expect(stripFence(`\`\`\`${language}\nreturn 1\n\`\`\``).typescriptFence).toBe(typescript);
  });

  it("leaves valid code alone even when a template literal contains a fence line", () => {
    const code = "const md = `\n~~~js\nx\n~~~\n`;\nreturn md.length";
    expect(stripFence(code)).toEqual({ code, lineOffset: 0, typescriptFence: false });
  });

  it("takes the code out of prose that happens to parse as JavaScript", () => {
    // "Sure:" is a label and the fences are tagged template literals: valid JavaScript, still Markdown.
    expect(stripFence("Sure:\n```ts\nconst a = 1;\n```").code).toBe("const a = 1;");
  });

  it("does not treat inline triple backticks as a fence", () => {
    const code = 'return "use ```code``` here"';
    expect(stripFence(code).code).toBe(code);
  });
});
