/** zod, of the ready set: importable in every shape, run inside the sandbox; other modules refused. */

import { describe, expect, it } from "vitest";
import { errorOf, execute, resultOf } from "./client";

const USER = 'import { z } from "zod";\nconst User = z.object({ name: z.string() });';

describe("library imports", () => {
  it.each([
    ["statements", `${USER}\nreturn User.parse({ name: "Ada" })`],
    ["last expression", `${USER}\nUser.parse({ name: "Ada" })`],
    ["function", `${USER}\nasync (args: unknown) => User.parse(args)`],
    ["module", `${USER}\nexport default function (args: unknown) { return User.parse(args) }`],
  ])("runs zod in the %s shape", async (_shape, code) => {
    expect(await resultOf(code, { args: { name: "Ada" } })).toEqual({ name: "Ada" });
  });

  it("accepts zod's default export too", async () => {
    expect(await resultOf('import z from "zod";\nreturn z.number().int().safeParse(1.5).success')).toBe(false);
  });

  it("reports a failed parse as a runtime error carrying zod's issues", async () => {
    const execution = await execute({ code: `${USER}\nreturn User.parse({ name: 42 })` });
    expect(execution.ok).toBe(false);
    expect(execution.error).toMatchObject({ kind: "runtime", name: "ZodError", line: 3, column: 13 });
    expect(JSON.stringify(execution.error)).toContain("invalid_type");
    expect(execution.error?.message).toContain('"path"');
  });

  it("refuses a module that is neither provided nor a package, listing what can be imported", async () => {
    const error = await errorOf('const a = 1;\nimport { chunk } from "https://esm.sh/lodash";\nreturn chunk([a], 1)');
    expect(error).toMatchObject({
      kind: "syntax",
      message:
        'Cannot find module "https://esm.sh/lodash": only these modules can be imported: cheerio, cloudflare:workers, date-fns, dayjs, decimal.js, diff, fast-xml-parser, functions.do, lodash-es, marked, nanoid, papaparse, uuid, yaml, zod',
      line: 2,
      column: 23,
    });
  });

  it("refuses a name zod does not export, located on the name", async () => {
    const error = await errorOf('import { z, zed } from "zod";\nreturn z');
    expect(error).toMatchObject({
      kind: "syntax",
      message: 'Module "zod" has no export named "zed"',
      line: 1,
      column: 13,
    });
  });

  it("keeps the sandbox closed to the network with a library loaded", async () => {
    const execution = await execute({
      code: 'import { z } from "zod";\nreturn await fetch("https://example.com").then(() => "reached", (e) => String(e))',
    });
    expect(execution.ok).toBe(true);
    expect(execution.result).not.toBe("reached");
  });
});
