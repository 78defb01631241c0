import { describe, expect, it } from "vitest";
import { runtimeHint, syntaxHint } from "../src/hints";

describe("syntaxHint", () => {
  it.each([
    ['Unexpected ";"', "Check for a missing or extra bracket, comma or operator just before this point."],
    ["Unexpected token", "Check for a missing or extra bracket, comma or operator just before this point."],
    ['Expected ")" but found "{"', "Insert the missing ) here, or remove the token that comes before it."],
    ["Unterminated string constant", "Close the string, comment or template that starts here."],
    [
      "Identifier 'x' has already been declared",
      "Use another name, or assign to the existing variable instead of declaring it again.",
    ],
    [
      "Something odd",
      "Fix the syntax here: the code must be TypeScript or JavaScript (top-level return and await are allowed).",
    ],
  ])("gives %j a hint", (message, hint) => {
    expect(syntaxHint(message)).toBe(hint);
  });
});

describe("runtimeHint", () => {
  it.each([
    [
      "runtime",
      "ReferenceError",
      "fetchUsers is not defined",
      "`fetchUsers` is not defined here: declare it, or read it from args ($ and args are in scope).",
    ],
    [
      "runtime",
      "TypeError",
      "Cannot read properties of undefined (reading 'name')",
      "A value is undefined here: check it before reading .name (value?.name).",
    ],
    [
      "runtime",
      "TypeError",
      "items.mapp is not a function",
      "The value called here is not a function: check the name and what it holds.",
    ],
    [
      "timeout",
      "TimeoutError",
      "Execution exceeded the 5000 ms deadline.",
      "Look for a loop that never ends or an await that never settles, or raise timeoutMs (at most 30000).",
    ],
    [
      "resource",
      "ResourceError",
      "The result is larger than 4.0 MiB of JSON; return less data.",
      "Return less: filter, aggregate or page the data before returning it.",
    ],
    [
      "resource",
      "RangeError",
      "Maximum call stack size exceeded",
      "The recursion never ends: add a base case, or use a loop.",
    ],
  ] as const)("gives a %s %s a hint", (kind, name, message, hint) => {
    expect(runtimeHint(kind, name, message)).toBe(hint);
  });

  it("gives no hint when it has nothing useful to say", () => {
    expect(runtimeHint("runtime", "Error", "boom")).toBeUndefined();
  });
});
