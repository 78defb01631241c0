import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { PackageError } from "../../src/packages/errors";
import { extractTarball } from "../../src/packages/tarball";

const work = mkdtempSync(join(tmpdir(), "tarball-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LIMITS = { unpackedBytes: 1024 * 1024, files: 100 };

/** A gzipped tar made by the system's tar from `files` under `package/`. */
function tarOf(files: Record<string, string>, options: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(work, "pkg-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, "package", path, ".."), { recursive: true });
    writeFileSync(join(dir, "package", path), text);
  }
  execFileSync("tar", ["-czf", join(dir, "out.tgz"), ...options, "-C", dir, "package"]);
  return readFileSync(join(dir, "out.tgz"));
}

async function failure(promise: Promise<unknown>): Promise<PackageError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof PackageError)) throw new Error(`expected a PackageError, got ${String(error)}`);
  return error;
}

describe("extractTarball", () => {
  it("reads code and JSON, under the package's own paths, and skips the rest", async () => {
    const files = await extractTarball(
      tarOf({ "package.json": "{}", "lib/a.js": "a", "README.md": "#", "types/a.d.ts": "d" }),
      LIMITS,
      "t",
    );
    expect([...files.keys()].sort()).toEqual(["lib/a.js", "package.json", "types/a.d.ts"]);
    expect(new TextDecoder().decode(files.get("lib/a.js"))).toBe("a");
  });

  it("reads names longer than 100 bytes (pax and GNU headers)", async () => {
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(60)}.js`;
    for (const format of ["--format=pax", "--format=gnu"]) {
      const files = await extractTarball(tarOf({ [long]: "x" }, [format]), LIMITS, "t");
      expect([...files.keys()]).toEqual([long]);
    }
  });

  it("stops at the decompressed-size limit (a gzip bomb)", async () => {
    const error = await failure(extractTarball(gzipSync(Buffer.alloc(8 * 1024 * 1024)), LIMITS, "The tarball of x@1"));
    expect([error.code, error.message]).toEqual([
      "too_large",
      "The tarball of x@1 is over 1048576 bytes once decompressed (the limit).",
    ]);
  });

  it("stops at the entry limit", async () => {
    const files = Object.fromEntries(Array.from({ length: 120 }, (_, index) => [`f${index}.js`, ""]));
    const error = await failure(extractTarball(tarOf(files), LIMITS, "The tarball of x@1"));
    expect(error.message).toBe("The tarball of x@1 has more than 100 entries (the limit).");
  });

  it("refuses what is not a gzipped tar", async () => {
    expect((await failure(extractTarball(new TextEncoder().encode("nope"), LIMITS, "t"))).code).toBe("invalid_package");
    expect((await failure(extractTarball(gzipSync(Buffer.alloc(512, 7)), LIMITS, "t"))).message).toBe(
      "t could not be read: a header at byte 0 is corrupt.",
    );
  });

  it("never keeps a path that leaves the package, nor links", async () => {
    const dir = mkdtempSync(join(work, "evil-"));
    mkdirSync(join(dir, "package"));
    writeFileSync(join(dir, "package/ok.js"), "ok");
    execFileSync("ln", ["-s", "/etc/passwd", join(dir, "package/link.js")]);
    execFileSync("tar", [
      "-czf",
      join(dir, "out.tgz"),
      "-C",
      dir,
      "package",
      "--transform",
      "s,ok.js,../../escape.js,",
    ]);
    const files = await extractTarball(readFileSync(join(dir, "out.tgz")), LIMITS, "t");
    expect([...files.keys()]).toEqual([]);
  });
});
