import { describe, expect, it } from "vitest";
import { parsePackageSpecifier } from "../../src/packages/specifier";

describe("parsePackageSpecifier", () => {
  it.each([
    ["left-pad", { name: "left-pad", range: "latest", pinned: false, subpath: "" }],
    ["left-pad@1.3.0", { name: "left-pad", range: "1.3.0", pinned: true, subpath: "" }],
    ["left-pad@v1.3.0", { name: "left-pad", range: "1.3.0", pinned: true, subpath: "" }],
    ["left-pad@^1.2", { name: "left-pad", range: "^1.2", pinned: false, subpath: "" }],
    ["left-pad@next", { name: "left-pad", range: "next", pinned: false, subpath: "" }],
    ["date-fns/format", { name: "date-fns", range: "latest", pinned: false, subpath: "format" }],
    ["@scope/name@2.0.0/sub/path.js", { name: "@scope/name", range: "2.0.0", pinned: true, subpath: "sub/path.js" }],
    ["decimal.js", { name: "decimal.js", range: "latest", pinned: false, subpath: "" }],
  ])("reads %s", (specifier, expected) => {
    expect(parsePackageSpecifier(specifier)).toEqual(expected);
  });

  it.each([
    "node:fs",
    "https://esm.sh/zod",
    "./local",
    "/abs",
    "Zod",
    "_private",
    ".hidden",
    "pkg/../../etc",
    "pkg/./x",
    "pkg@",
    "pkg@not a range!",
    "@scope",
    `${"a".repeat(215)}`,
  ])("refuses %s, which is not a package specifier", (specifier) => {
    expect(parsePackageSpecifier(specifier)).toBeUndefined();
  });
});
