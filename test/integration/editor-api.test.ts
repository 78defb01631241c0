/**
 * The routes behind the playground, through HTTP: POST /compile (diagnostics in the submitted
 * text's coordinates), POST /execute as Server-Sent Events, shared snippets, and the page itself.
 */

import { describe, expect, it } from "vitest";
import { baseUrl, unique } from "./client";

interface CompileDiagnostic {
  severity: "error" | "warning";
  source: "syntax" | "types";
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  hint?: string;
}

interface CompileAnswer {
  ok: boolean;
  id: string;
  cached: boolean;
  language: string;
  shape?: { kind: string; mode: string };
  diagnostics: CompileDiagnostic[];
  output?: string;
  timings: { compileMs: number; typecheckMs: number };
}

async function postJson(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${baseUrl()}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function compile(body: Record<string, unknown>): Promise<CompileAnswer> {
  const { status, json } = await postJson("/compile", body);
  expect(status, JSON.stringify(json)).toBe(200);
  return json as CompileAnswer;
}

describe("POST /compile", () => {
  it("answers the shape and no diagnostics for good code, without running it", async () => {
    const answer = await compile({ code: `${unique()}\nthrow new Error("never runs")`, language: "javascript" });
    expect(answer).toMatchObject({
      ok: true,
      language: "javascript",
      shape: { kind: "statements" },
      diagnostics: [],
    });
    expect(answer.id).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.output).toBeUndefined();
  });

  it("answers the compiled module on request, and the same id as a run of the same code", async () => {
    const code = `${unique()}\nreturn 40 + 2`;
    const answer = await compile({ code, output: true });
    expect(answer.output).toContain("40 + 2");
    const run = await postJson("/execute", { code });
    expect(run.json).toMatchObject({ ok: true, result: 42, id: answer.id, cached: true });
  });

  it("places a syntax error on the submitted line and column, inside a Markdown fence too", async () => {
    const answer = await compile({ code: "Here:\n\n```js\nconst a = 1;\nconst b = ;\n```\n" });
    expect(answer.ok).toBe(false);
    expect(answer.diagnostics).toHaveLength(1);
    expect(answer.diagnostics[0]).toMatchObject({ severity: "error", source: "syntax", line: 5, column: 11 });
  });

  it("reports type errors as warnings at their ranges in TypeScript, fence lines included", async () => {
    const code = [
      "```ts",
      `${unique()}`,
      "const count: number = 'three';",
      "const stored = await $.kv.get('k');",
      "return stored.toUpperCase();",
      "```",
    ].join("\n");
    const answer = await compile({ code });
    expect(answer.ok).toBe(true);
    expect(answer.language).toBe("typescript");
    expect(
      answer.diagnostics.map(({ source, severity, line, column, endLine, endColumn }) => ({
        source,
        severity,
        line,
        column,
        endLine,
        endColumn,
      })),
    ).toEqual([
      { source: "types", severity: "warning", line: 3, column: 7, endLine: 3, endColumn: 12 },
      { source: "types", severity: "warning", line: 5, column: 8, endLine: 5, endColumn: 14 },
    ]);
    expect(answer.diagnostics[0]?.message).toBe("Type 'string' is not assignable to type 'number'.");
    expect(answer.diagnostics[1]?.message).toBe("'stored' is possibly 'null'.");
  });

  it("skips the type check when asked, and never type-checks JavaScript", async () => {
    const ts = await compile({ code: "const n: number = 'x';\nreturn n", language: "typescript", typecheck: false });
    expect(ts.diagnostics).toEqual([]);
    expect(ts.timings.typecheckMs).toBe(0);
    const js = await compile({ code: "return $.kv.nope()", language: "javascript" });
    expect(js.diagnostics).toEqual([]);
  });

  it("rejects bad requests with a clear 400", async () => {
    for (const [body, message] of [
      [{ code: "return 1", output: "yes" }, "`output` must be a boolean"],
      [{ code: "return 1", typecheck: 1 }, "`typecheck` must be a boolean"],
      [{ code: 7 }, "`code`"],
      ["{", "JSON"],
    ] as const) {
      const { status, json } = await postJson("/compile", body);
      expect(status).toBe(400);
      expect((json as { error: { message: string } }).error.message).toContain(message);
    }
  });
});

interface StreamEvent {
  event: string;
  data: string;
  /** ms since the request was sent */
  at: number;
}

/** Reads a Server-Sent Events answer event by event, noting when each arrived. */
async function streamEvents(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const sent = performance.now();
  const response = await fetch(`${baseUrl()}/execute`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no body");
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(":")) {
        comments.push(block);
        continue;
      }
      const fields = Object.fromEntries(
        block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
      );
      events.push({ event: fields.event ?? "message", data: fields.data ?? "", at: performance.now() - sent });
    }
  }
  return { status: response.status, contentType: response.headers.get("content-type"), events, comments, buffer };
}

describe("POST /execute as Server-Sent Events", () => {
  it("sends each log as it happens, then one result event with the whole execution", async () => {
    const code = `${unique()}
      console.log("first");
      await scheduler.wait(1500);
      console.warn("second", { n: 2 });
      return "done";`;
    const stream = await streamEvents({ code }, { accept: "text/event-stream" });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain("text/event-stream");
    expect(stream.comments).toEqual([": stream open"]);
    expect(stream.buffer).toBe("");
    expect(stream.events.map((event) => event.event)).toEqual(["log", "log", "result"]);
    const [first, second, result] = stream.events;
    expect(JSON.parse(first?.data ?? "")).toMatchObject({ level: "log", message: "first" });
    expect(JSON.parse(second?.data ?? "")).toMatchObject({ level: "warn", message: "second { n: 2 }" });
    // The first log arrived while the snippet was still waiting, not with the result.
    expect((result?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThan(1000);
    const execution = JSON.parse(result?.data ?? "");
    expect(execution).toMatchObject({ ok: true, result: "done" });
    expect(execution.logs.map((log: { message: string }) => log.message)).toEqual(["first", "second { n: 2 }"]);
  });

  it("is chosen by `stream: true` as well, and ends with an error event on a timeout", async () => {
    const stream = await streamEvents({
      code: `${unique()}\nconsole.log("before");\nwhile (true) {}`,
      stream: true,
      timeoutMs: 300,
    });
    expect(stream.events.map((event) => event.event)).toEqual(["log", "error"]);
    const execution = JSON.parse(stream.events[1]?.data ?? "");
    expect(execution).toMatchObject({ ok: false, error: { kind: "timeout" } });
  });

  it("ends with an error event for a syntax error, with the line", async () => {
    const stream = await streamEvents({ code: "const = 1", stream: true });
    expect(stream.events.map((event) => event.event)).toEqual(["error"]);
    expect(JSON.parse(stream.events[0]?.data ?? "")).toMatchObject({ ok: false, error: { kind: "syntax", line: 1 } });
  });

  it("answers plain JSON when `stream: false` overrides the Accept header", async () => {
    const response = await fetch(`${baseUrl()}/execute`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ code: "return 1", stream: false }),
    });
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toMatchObject({ ok: true, result: 1 });
  });

  it("rejects a `stream` that is not a boolean before streaming", async () => {
    const { status, json } = await postJson("/execute", { code: "return 1", stream: "yes" });
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { code: "invalid_request" } });
  });
});

describe("shared snippets", () => {
  it("stores a snippet and answers it by id, with a link to the playground", async () => {
    const snippet = { code: `${unique()}\nreturn args.n * 2`, language: "javascript", args: { n: 21 } };
    const { status, json } = await postJson("/snippets", snippet);
    expect(status).toBe(201);
    const { id, url } = json as { id: string; url: string };
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(url).toBe(`${baseUrl()}/s/${id}`);

    const read = await fetch(`${baseUrl()}/snippets/${id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ id, ...snippet });

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  it("gives the same snippet the same id (its content hash), and a different one another", async () => {
    const code = `${unique()}\nreturn 1`;
    const first = (await postJson("/snippets", { code })).json as { id: string };
    const again = (await postJson("/snippets", { code })).json as { id: string };
    const other = (await postJson("/snippets", { code, args: { n: 1 } })).json as { id: string };
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
  });

  it("answers 404 for an unknown id and 400 for a malformed one", async () => {
    const missing = await fetch(`${baseUrl()}/snippets/${"0".repeat(64)}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    const malformed = await fetch(`${baseUrl()}/snippets/..%2Fetc`);
    expect(malformed.status).toBe(400);
  });

  it("validates a shared snippet like a run", async () => {
    const { status, json } = await postJson("/snippets", { code: "return 1", args: { big: "x".repeat(70_000) } });
    expect(status).toBe(413);
    expect(json).toMatchObject({ error: { code: "payload_too_large" } });
  });
});

describe("the playground page", () => {
  it("serves the page at / and its script and styles", async () => {
    const page = await fetch(`${baseUrl()}/`, { redirect: "manual" });
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const response = await fetch(`${baseUrl()}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.text()).length, asset).toBeGreaterThan(100);
    }
  });
});
