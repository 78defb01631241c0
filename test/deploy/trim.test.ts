/**
 * What the build (scripts/build-prelude.mjs) leaves out of what the Worker carries, and that what
 * remains still works: the snippet library zod without its translated messages, the type checker's
 * TypeScript library files without their documentation comments.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import * as realZod from "zod";
import { readyPackageOf } from "../../src/packages/ready-set";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

describe("the zod snippets import", () => {
  it("is zod without its translated messages: English errors, every locale name, a clear error for the others", async () => {
    const source = readyPackageOf("zod")?.source ?? "";
    expect(source.length).toBeLessThan(250_000);
    const dir = mkdtempSync(join(tmpdir(), "functions-do-zod-"));
    try {
      writeFileSync(join(dir, "zod.mjs"), source);
      const { z } = (await import(pathToFileURL(join(dir, "zod.mjs")).href)) as typeof realZod;
      const parsed = z.object({ n: z.number() }).safeParse({ n: "1" });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe("Invalid input: expected number, received string");
      expect(Object.keys(z.locales).sort()).toEqual(Object.keys(realZod.z.locales).sort());
      expect(typeof z.locales.en().localeError).toBe("function");
      expect(() => z.config(z.locales.de())).toThrow(
        `zod's "de" locale is not included in Functions.do; error messages are in English (z.locales.en)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the type checker's library files", () => {
  it("carry declarations, not their documentation", () => {
    const checker = readFileSync(join(root, "src/generated/type-checker.txt"), "utf8");
    expect(checker).toContain("interface HTMLElement");
    expect(checker).toContain("declare var console: Console;");
    expect(checker).not.toContain("[MDN Reference]");
  });
});
