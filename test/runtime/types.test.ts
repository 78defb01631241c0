/** The `$` type definitions served at GET /types type-check real snippet code, and catch misuse. */

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RUNTIME_TYPES } from "../../src/generated/prelude";

const dir = mkdtempSync(join(tmpdir(), "functions-do-types-test-"));
const tsc = join(import.meta.dirname, "../../node_modules/typescript/bin/tsc");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Type-checks `body` as the inside of a snippet; returns tsc's errors (empty when it checks). */
function check(body: string): string[] {
  writeFileSync(join(dir, "runtime.d.ts"), RUNTIME_TYPES);
  writeFileSync(join(dir, "snippet.ts"), `export {};\nasync function snippet() {\n${body}\n}\nvoid snippet;\n`);
  try {
    const files = ["runtime.d.ts", "snippet.ts", ...(existsSync(join(dir, "helper.ts")) ? ["helper.ts"] : [])];
    execFileSync(
      process.execPath,
      [
        tsc,
        "--ignoreConfig",
        "--noEmit",
        "--strict",
        "--target",
        "es2024",
        "--lib",
        "es2024,dom",
        "--skipLibCheck",
        ...files,
      ],
      {
        cwd: dir,
        stdio: "pipe",
      },
    );
    return [];
  } catch (error) {
    const output = String((error as { stdout?: Buffer }).stdout ?? "");
    return output.split("\n").filter((line) => line.includes("error TS"));
  }
}

describe("the $ type definitions", () => {
  it("type-check a snippet using every member of $", () => {
    expect(
      check(`
        const text: string | null = await $.kv.get("k");
        const doc = await $.kv.get<{ n: number }>("k", "json");
        const n: number | undefined = doc?.n;
        await $.kv.put("k", "v", { expirationTtl: 60 });
        const page = await $.kv.list({ prefix: "a", limit: 10 });
        const names: string[] = page.keys.map((key) => key.name);
        await $.db.put("users", "u1", { name: "Ada" });
        const users = await $.db.list<{ name: string }>("users", { where: { age: { $gt: 2 } }, orderBy: "-age", limit: 5 });
        const first: string | undefined = users[0]?.doc.name;
        const response: Response = await $.fetch("https://api.example.com");
        const greeting: string = await $.example.greet("x");
        const value: number = await $.example.counter(1).increment();
        const tenant: string = $.ctx.tenant;
        const anything = args.whatever;
        void [text, n, names, first, response, greeting, value, tenant, anything];
      `),
    ).toEqual([]);
  });

  it.each([
    ["a key that is not a string", "await $.kv.get(1);"],
    ["an unknown member", "await $.nothing.here();"],
    ["a wrong service argument", "await $.example.greet(42);"],
    ["a misspelled method", "await $.db.find('users');"],
    ["writing to ctx", "$.ctx.tenant = 'other';"],
  ])("reject %s", (_what, body) => {
    expect(check(body).length).toBeGreaterThan(0);
  });

  it("type-check helper code importing $ from functions.do", () => {
    writeFileSync(
      join(dir, "helper.ts"),
      'import { $ } from "functions.do";\nexport const tenant: string = $.ctx.tenant;\n',
    );
    expect(check("")).toEqual([]);
  });
});
