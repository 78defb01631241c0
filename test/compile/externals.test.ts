import { describe, expect, it } from "vitest";
import { linkExternals } from "../../src/compile/externals";

describe("linkExternals", () => {
  it("points every import of a ready-set module at the module loaded beside the unit", () => {
    const code = [
      'import { format } from "date-fns";',
      'import chunk from "lodash-es/chunk";',
      'export * from "yaml";',
      'export { v4 } from "uuid";',
      'const z = await import("zod");',
    ].join("\n");
    expect(linkExternals(code)?.code).toBe(
      [
        'import { format } from "./libraries/date-fns.js";',
        'import chunk from "./libraries/lodash-es/chunk.js";',
        'export * from "./libraries/yaml.js";',
        'export { v4 } from "./libraries/uuid.js";',
        'const z = await import("./libraries/zod.js");',
      ].join("\n"),
    );
  });

  it("leaves a unit that imports a module to inline (or anything unknown) to the bundler", () => {
    expect(linkExternals('import { $ } from "functions.do";\nimport dayjs from "dayjs";')).toBeUndefined();
    expect(linkExternals('import dayjs from "dayjs";\nawait import(name);')).toBeUndefined();
  });
});
