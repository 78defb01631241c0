import { CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { EditorState } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { parseDeclarations, runtimeCompletions } from "../../playground/src/completions";
import { RUNTIME_TYPES } from "../../src/generated/prelude";

const complete = (doc: string): CompletionResult | null =>
  runtimeCompletions(parseDeclarations(RUNTIME_TYPES))(
    new CompletionContext(EditorState.create({ doc }), doc.length, false),
  );

describe("playground completions from GET /types", () => {
  it("offers the ready set's packages, with versions, inside an import's string", () => {
    const result = complete('import { format } from "da');
    expect(result?.from).toBe('import { format } from "'.length);
    const labels = result?.options.map((option) => option.label) ?? [];
    for (const name of ["date-fns", "dayjs", "lodash-es", "zod", "cheerio", "functions.do", "cloudflare:workers"]) {
      expect(labels).toContain(name);
    }
    const dateFns = result?.options.find((option) => option.label === "date-fns");
    expect(dateFns?.detail).toMatch(/^\d+\.\d+\.\d+$/);
    expect(String(dateFns?.info)).toContain("format");
  });

  it("offers them in a dynamic import and a bare import too, and $ members elsewhere", () => {
    expect(complete("const m = await import('yam")?.options.some((option) => option.label === "yaml")).toBe(true);
    expect(complete('import "dayjs/')?.options.length).toBeGreaterThan(10);
    expect(complete("$.kv.")?.options.map((option) => option.label)).toContain("get");
  });
});
