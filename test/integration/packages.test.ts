/**
 * Registry packages: fetched by the host from the stand-in npm registry (global-setup.ts), bundled
 * once per version, run in the sandbox; every failure a clear error on the import, never a 500.
 */

import { describe, expect, inject, it } from "vitest";
import { errorOf, execute, resultOf, unique } from "./client";

async function registryRequests(): Promise<string[]> {
  return (await fetch(`${inject("registryOrigin")}/__requests`)).json() as Promise<string[]>;
}

describe("registry packages", () => {
  it("imports a CommonJS package's default export", async () => {
    expect(await resultOf('import escape from "escape-html";\nreturn escape("<a href=\'x\'>")')).toBe(
      "&lt;a href=&#39;x&#39;&gt;",
    );
  });

  it.each([
    ["escape-html", "1.0.3"],
    ["escape-html@1.0.2", "1.0.2"],
    ["escape-html@^1.0.0", "1.0.3"],
    ["escape-html@~1.0.2", "1.0.3"],
    ["escape-html@next", "2.0.0-beta.1"],
    ["escape-html@2.0.0-beta.1", "2.0.0-beta.1"],
  ])("resolves %s to %s", async (specifier, version) => {
    expect(await resultOf(`import escape from "${specifier}";\nreturn escape.packageVersion`)).toBe(version);
  });

  it("gives units that resolve to different versions different ids", async () => {
    const code = (version: string) =>
      `import escape from "escape-html@${version}";\nexport default () => escape.packageVersion`;
    const [a, b] = [await execute({ code: code("1.0.2") }), await execute({ code: code("1.0.3") })];
    expect([a.result, b.result]).toEqual(["1.0.2", "1.0.3"]);
    expect(a.id).not.toBe(b.id);
  });

  it("imports CommonJS named exports, as Node finds them", async () => {
    expect(
      await resultOf('import { parse, serialize } from "cookie";\nreturn [parse("a=1; b=two"), serialize("c", "3")]'),
    ).toEqual([{ a: "1", b: "two" }, "c=3"]);
  });

  it("fetches dependencies at the versions the package asks for and takes its browser entry", async () => {
    const code =
      'import createDebug from "debug";\nimport ms from "ms";\nconst debug = createDebug("x");\nreturn [typeof debug, debug.namespace, ms("2h")]';
    expect(await resultOf(code)).toEqual(["function", "x", 7_200_000]);
    // debug's `browser` entry, not its Node one (which needs tty).
    expect(await registryRequests()).toContain("/ms");
  });

  it("resolves an ES module through its exports map, with subpaths", async () => {
    const code =
      'import { join } from "pathe";\nimport { filename } from "pathe/utils";\nreturn [join("a", "../b", "c"), filename("/x/y.txt")]';
    expect(await resultOf(code)).toEqual(["b/c", "y"]);
  });

  it("imports a scoped package", async () => {
    const code =
      'import { Validator } from "@cfworker/json-schema";\nconst v = new Validator({ type: "number" });\nreturn [v.validate(1).valid, v.validate("x").valid]';
    expect(await resultOf(code)).toEqual([true, false]);
  });

  it("pays for the registry only on the first use of a version", async () => {
    const tarballs = async () =>
      (await registryRequests()).filter((path) => path === "/kleur/-/kleur-4.1.5.tgz").length;
    const before = await tarballs();
    const code = () => `${unique()}\nimport kleur from "kleur@4.1.5";\nreturn typeof kleur.red`;
    expect(await resultOf(code())).toBe("function");
    expect(await tarballs()).toBe(before + 1);
    expect(await resultOf(code())).toBe("function");
    // A subpath is a bundle of its own, built once too.
    const subpath = () => `${unique()}\nimport { red } from "kleur@4.1.5/colors";\nreturn typeof red`;
    expect(await resultOf(subpath())).toBe("function");
    expect(await resultOf(subpath())).toBe("function");
    expect(await tarballs()).toBe(before + 2);
  });

  it("refuses a name the package does not export, located on the name", async () => {
    const error = await errorOf('import { escapeHtml } from "escape-html@1.0.3";\nreturn escapeHtml');
    expect(error).toMatchObject({
      kind: "syntax",
      message: 'Module "escape-html@1.0.3" has no export named "escapeHtml"',
      line: 1,
      column: 10,
    });
  });

  it("says when the registry has no such package", async () => {
    const error = await errorOf('const a = 1;\nimport x from "no-such-package-here";\nreturn x');
    expect(error).toMatchObject({ kind: "syntax", name: "PackageError", line: 2, column: 15 });
    expect(error.message).toBe(
      `Cannot find package "no-such-package-here" in the registry (${inject("registryOrigin")}/).`,
    );
  });

  it("says when the package has no such version, listing the ones it has", async () => {
    const error = await errorOf('import x from "escape-html@^3";\nreturn x');
    expect(error).toMatchObject({ kind: "syntax", name: "PackageError", line: 1 });
    expect(error.message).toBe(
      'Package "escape-html" has no version matching "^3". Latest versions: 2.0.0-beta.1, 1.0.3, 1.0.2; tags: latest → 1.0.3, next → 2.0.0-beta.1.',
    );
  });

  it("says when a subpath is not in the package", async () => {
    const error = await errorOf('import x from "pathe/nothing-here";\nreturn x');
    expect(error.name).toBe("PackageError");
    expect(error.message).toMatch(/^Package pathe@[\d.]+ has no entry "nothing-here"/);
  });

  it("refuses a package that needs Node built-ins the sandbox lacks, naming them", async () => {
    const error = await errorOf('import { x } from "tinyexec";\nreturn x');
    expect(error).toMatchObject({ kind: "syntax", name: "PackageError", line: 1 });
    expect(error.message).toMatch(
      /^Package tinyexec@[\d.]+ needs Node built-ins the sandbox lacks: child_process \(imported by tinyexec\//,
    );
  });

  it("answers a resource error, not a hang, when the registry does not answer", async () => {
    const started = Date.now();
    const error = await errorOf('import x from "slow-package";\nreturn x');
    expect(error).toMatchObject({ kind: "resource", name: "PackageError", line: 1 });
    expect(error.message).toBe('The registry did not answer for the metadata of "slow-package" within 3000 ms.');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("answers a resource error when the registry fails, and does not keep the failure", async () => {
    const code = 'import x from "broken-package";\nreturn x';
    const first = await execute({ code });
    expect(first.error).toMatchObject({
      kind: "resource",
      message: 'The registry answered 503 for the metadata of "broken-package".',
    });
    const before = (await registryRequests()).filter((path) => path === "/broken-package").length;
    const second = await execute({ code });
    expect(second.cached).toBe(false);
    expect((await registryRequests()).filter((path) => path === "/broken-package").length).toBe(before + 1);
  });

  it("refuses a tarball that does not match its published integrity", async () => {
    const error = await errorOf('import x from "tampered";\nreturn x');
    expect(error).toMatchObject({ kind: "syntax", name: "PackageError" });
    expect(error.message).toBe(
      "The tarball of tampered@1.0.0 does not match the integrity the registry published for it.",
    );
  });

  it("stops reading a tarball that decompresses past the limit", async () => {
    const error = await errorOf('import x from "gzip-bomb";\nreturn x');
    expect(error).toMatchObject({ kind: "resource", name: "PackageError" });
    expect(error.message).toBe("The tarball of gzip-bomb@1.0.0 is over 25165824 bytes once decompressed (the limit).");
  });

  it("runs package code under the snippet's network policy", async () => {
    const code =
      'import ms from "ms";\nreturn [ms(1000), await fetch("https://example.com").then(() => "reached", () => "blocked")]';
    expect(await resultOf(code)).toEqual(["1s", "blocked"]);
  });
});
