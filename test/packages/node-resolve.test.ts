import { describe, expect, it } from "vitest";
import { type PackageFiles, type PackageJson, resolveEntry, resolveRelative } from "../../src/packages/node-resolve";

function pkg(json: PackageJson, paths: string[]): PackageFiles {
  return { name: "p", version: "1.0.0", json, files: new Map(paths.map((path) => [path, new Uint8Array()])) };
}

describe("resolveEntry", () => {
  const conditional = pkg(
    {
      exports: {
        ".": { node: "./node.js", browser: "./browser.js", require: "./index.cjs", default: "./index.js" },
        "./sub": { import: "./sub.mjs", require: "./sub.cjs" },
        "./feature/*": "./dist/features/*.js",
        "./private/*": null,
        "./node-only": { node: "./node-only.js" },
        "./package.json": "./package.json",
      },
    },
    [
      "node.js",
      "browser.js",
      "index.cjs",
      "index.js",
      "sub.mjs",
      "sub.cjs",
      "dist/features/a.js",
      "node-only.js",
      "package.json",
    ],
  );

  it.each([
    ["", "browser.js"],
    ["sub", "sub.mjs"],
    ["feature/a", "dist/features/a.js"],
    ["node-only", "node-only.js"],
  ])("takes the Worker's conditions in an exports map: %s → %s", (subpath, file) => {
    expect(resolveEntry(conditional, subpath)).toBe(file);
  });

  it("finds nothing an exports map does not export, or excludes", () => {
    expect(resolveEntry(conditional, "dist/features/a.js")).toBeUndefined();
    expect(resolveEntry(conditional, "private/x")).toBeUndefined();
    expect(resolveEntry(conditional, "feature/missing")).toBeUndefined();
  });

  it("falls back to browser, module, main and index, with extensions", () => {
    expect(resolveEntry(pkg({ browser: "b.js", module: "m.js", main: "c.js" }, ["b.js", "m.js", "c.js"]), "")).toBe(
      "b.js",
    );
    expect(resolveEntry(pkg({ module: "esm/index", main: "c.js" }, ["esm/index.js", "c.js"]), "")).toBe("esm/index.js");
    expect(resolveEntry(pkg({ main: "./lib" }, ["lib/index.js"]), "")).toBe("lib/index.js");
    expect(resolveEntry(pkg({}, ["index.js"]), "")).toBe("index.js");
    expect(resolveEntry(pkg({}, ["other.js"]), "")).toBeUndefined();
    expect(resolveEntry(pkg({}, ["lib/x.json"]), "lib/x")).toBe("lib/x.json");
  });

  it("applies the browser field's replacements, `false` being nothing", () => {
    const browser = pkg({ main: "index.js", browser: { "./lib/node.js": "./lib/web.js", "./lib/fs.js": false } }, [
      "index.js",
      "lib/node.js",
      "lib/web.js",
      "lib/fs.js",
    ]);
    expect(resolveRelative(browser, "index.js", "./lib/node")).toBe("lib/web.js");
    expect(resolveRelative(browser, "index.js", "./lib/fs.js")).toBe(false);
  });

  it("keeps relative imports inside the package", () => {
    const files = pkg({}, ["a/b.js", "c.js"]);
    expect(resolveRelative(files, "a/b.js", "../c")).toBe("c.js");
    expect(resolveRelative(files, "a/b.js", "../../outside")).toBeUndefined();
  });
});
