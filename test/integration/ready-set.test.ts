/**
 * The ready set: npm packages bundled with the service, importable by name or subpath, running in
 * the sandbox, listed in GET /types, and typed for the type checker.
 */

import { describe, expect, it } from "vitest";
import { baseUrl, errorOf, execute, resultOf } from "./client";

describe("the ready set", () => {
  it.each([
    [
      "lodash-es",
      'import { chunk, groupBy } from "lodash-es";\nreturn [chunk([1, 2, 3], 2), groupBy([1.2, 1.4, 2.1], Math.floor)]',
      [[[1, 2], [3]], { 1: [1.2, 1.4], 2: [2.1] }],
    ],
    ["lodash-es/chunk", 'import chunk from "lodash-es/chunk";\nreturn chunk(["a", "b", "c"], 2)', [["a", "b"], ["c"]]],
    ["lodash-es/chunk.js", 'import chunk from "lodash-es/chunk.js";\nreturn chunk([1], 1)', [[1]]],
    ["lodash-es default", 'import _ from "lodash-es";\nreturn _.sum([1, 2, 3])', 6],
    [
      "date-fns",
      'import { format, addDays } from "date-fns";\nreturn format(addDays(new Date(2024, 0, 31), 1), "yyyy-MM-dd")',
      "2024-02-01",
    ],
    [
      "date-fns/format",
      'import { format } from "date-fns/format";\nreturn format(new Date(2024, 4, 6), "d MMM")',
      "6 May",
    ],
    [
      "date-fns/locale",
      'import { format } from "date-fns";\nimport { de } from "date-fns/locale";\nreturn format(new Date(2024, 0, 1), "MMMM", { locale: de })',
      "Januar",
    ],
    [
      "date-fns/locale/fr",
      'import { format } from "date-fns";\nimport { fr } from "date-fns/locale/fr";\nreturn format(new Date(2024, 1, 1), "MMMM", { locale: fr })',
      "février",
    ],
    [
      "dayjs with dayjs/plugin/utc",
      'import dayjs from "dayjs";\nimport utc from "dayjs/plugin/utc";\ndayjs.extend(utc);\nreturn dayjs.utc("2024-01-01T12:34:00Z").format("HH:mm")',
      "12:34",
    ],
    [
      "dayjs/locale/de",
      'import dayjs from "dayjs";\nimport "dayjs/locale/de";\nreturn dayjs("2024-03-01").locale("de").format("MMMM")',
      "März",
    ],
    [
      "yaml",
      'import { parse, stringify } from "yaml";\nreturn [parse("a: 1\\nb: [x, y]"), stringify({ c: true })]',
      [{ a: 1, b: ["x", "y"] }, "c: true\n"],
    ],
    [
      "papaparse",
      'import Papa from "papaparse";\nreturn Papa.parse("a,b\\n1,2", { header: true }).data',
      [{ a: "1", b: "2" }],
    ],
    [
      "papaparse named",
      'import { parse } from "papaparse";\nreturn parse("x;y", { delimiter: ";" }).data',
      [["x", "y"]],
    ],
    [
      "uuid",
      'import { v4, validate, version } from "uuid";\nconst id = v4();\nreturn [validate(id), version(id)]',
      [true, 4],
    ],
    ["nanoid", 'import { nanoid } from "nanoid";\nreturn nanoid().length', 21],
    ["nanoid/non-secure", 'import { nanoid } from "nanoid/non-secure";\nreturn nanoid(8).length', 8],
    ["marked", 'import { marked } from "marked";\nreturn marked.parse("# Hi *there*")', "<h1>Hi <em>there</em></h1>\n"],
    ["decimal.js", 'import Decimal from "decimal.js";\nreturn new Decimal("0.1").plus("0.2").toString()', "0.3"],
    [
      "fast-xml-parser",
      'import { XMLParser } from "fast-xml-parser";\nreturn new XMLParser().parse("<a><b>1</b><b>2</b></a>")',
      { a: { b: [1, 2] } },
    ],
    [
      "diff",
      'import { diffWords } from "diff";\nreturn diffWords("a b", "a c").map((part) => [part.added ?? false, part.removed ?? false, part.value])',
      [
        [false, false, "a "],
        [false, true, "b"],
        [true, false, "c"],
      ],
    ],
    [
      "cheerio",
      'import { load } from "cheerio";\nconst $ = load("<ul><li>a</li><li class=x>b</li></ul>");\nreturn [$("li").length, $("li.x").text()]',
      [2, "b"],
    ],
    ["zod/mini", 'import * as z from "zod/mini";\nreturn z.string().safeParse(1).success', false],
  ])("runs %s in the sandbox", async (_name, code, expected) => {
    expect(await resultOf(code)).toEqual(expected);
  });

  it("refuses a name a ready-set module does not export, located on the name", async () => {
    const error = await errorOf('import { formatt } from "date-fns";\nreturn formatt');
    expect(error).toMatchObject({
      kind: "syntax",
      message: 'Module "date-fns" has no export named "formatt"',
      line: 1,
      column: 10,
    });
  });

  it("refuses a subpath the package does not have", async () => {
    const error = await errorOf('import x from "lodash-es/_baseSlice";\nreturn x');
    expect(error.kind).toBe("syntax");
    expect(error.message).toContain("lodash-es/_baseSlice");
  });

  it("loads a library beside the unit only when the unit imports it", async () => {
    const compile = async (code: string) => {
      const response = await fetch(`${baseUrl()}/compile`, {
        method: "POST",
        body: JSON.stringify({ code, output: true, typecheck: false }),
      });
      return ((await response.json()) as { output: string }).output;
    };
    expect(await compile('import { format } from "date-fns/format";\nreturn format(new Date(0), "yyyy")')).toContain(
      '"./libraries/date-fns/format.js"',
    );
    expect(await compile("return 1")).not.toContain("libraries/");
  });

  it("names every package of the ready set in GET /types", async () => {
    const types = await (await fetch(`${baseUrl()}/types`)).text();
    for (const name of [
      "lodash-es",
      "date-fns",
      "yaml",
      "papaparse",
      "uuid",
      "nanoid",
      "marked",
      "decimal.js",
      "fast-xml-parser",
      "diff",
      "dayjs",
      "cheerio",
      "zod",
    ]) {
      expect(types).toContain(`"${name}": `);
    }
  });

  it("type-checks a TypeScript snippet against a ready-set package's own types", async () => {
    const response = await fetch(`${baseUrl()}/compile`, {
      method: "POST",
      body: JSON.stringify({
        code: 'import { addDays } from "date-fns";\nconst next: string = addDays(new Date(), "one");\nreturn next',
      }),
    });
    const { diagnostics } = (await response.json()) as {
      diagnostics: { source: string; message: string; line: number }[];
    };
    const types = diagnostics.filter((diagnostic) => diagnostic.source === "types");
    expect(types.map((diagnostic) => diagnostic.line)).toEqual([2, 2]);
    expect(types.map((diagnostic) => diagnostic.message).join("\n")).toMatch(
      /not assignable to parameter of type 'number'/,
    );
  });

  it("reports zod's errors typed, and a correct snippet without warnings", async () => {
    const response = await fetch(`${baseUrl()}/compile`, {
      method: "POST",
      body: JSON.stringify({
        code: 'import { z } from "zod";\nimport { chunk } from "lodash-es";\nconst s = z.string();\nreturn chunk([s.parse("a")], 1)',
      }),
    });
    const { diagnostics } = (await response.json()) as { diagnostics: unknown[] };
    expect(diagnostics).toEqual([]);
  });

  it("keeps the answer's id stable for equal code with libraries", async () => {
    const code = 'import dayjs from "dayjs";\nreturn dayjs("2020-01-01").year()';
    const [first, second] = [await execute({ code }), await execute({ code })];
    expect(first.result).toBe(2020);
    expect(second.id).toBe(first.id);
    expect(second.cached).toBe(true);
  });
});
