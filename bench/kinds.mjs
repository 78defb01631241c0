// The kinds of request the benchmark sends. Each has `request(i)`, the i-th request ({ path, init };
// i is unique across the whole script, so a miss is never served from the compile cache), and
// `check(body, i)`, which returns why an answer is wrong, or nothing when it is right.

/** `GET /health`: one HTTP round trip to the host Worker, no isolate. */
export const HEALTH = {
  name: "health",
  label: "GET /health",
  request: () => ({ path: "/health" }),
  check: (body) => (body?.ok === true ? undefined : `expected {"ok":true}, got ${JSON.stringify(body)}`),
};

/**
 * `GET /__bench/floor` (served only with BENCH_ROUTES=1): one call into a cached dynamic isolate
 * that does nothing. What any run must cost at least: the bare-loader floor.
 */
export const FLOOR = {
  name: "floor",
  label: "GET /__bench/floor",
  request: () => ({ path: "/__bench/floor" }),
  check: (body) => (body?.ok === true ? undefined : `expected {"ok":true}, got ${JSON.stringify(body)}`),
};

/** A cache hit: args are not part of the id, so once compiled every request of this kind is a hit. */
export const HIT = {
  name: "hit",
  label: "execute hit",
  request: (i) => execute({ code: "return args.n * 2", language: "javascript", args: { n: i } }),
  check: (body, i) => checkExecution(body, { result: i * 2, cached: true }),
};

/** A JavaScript miss: a new snippet each time, so a compile (no type stripping) and a fresh isolate. */
export const MISS_JS = {
  name: "missJs",
  label: "execute miss JS",
  request: (i) => execute({ code: `return ${i} + args.n`, language: "javascript", args: { n: 1 } }),
  check: (body, i) => checkExecution(body, { result: i + 1, cached: false }),
};

/**
 * A TypeScript miss: a new snippet with an interface, annotations and a cast, in the default
 * language (TypeScript), so the compile includes type stripping.
 */
export const MISS_TS = {
  name: "missTs",
  label: "execute miss TS",
  request: (i) => execute({ code: typeScriptSnippet(i), args: { n: 1 } }),
  check: (body, i) => checkExecution(body, { result: i + 1, cached: false }),
};

/** The kinds of the latency rounds, in their base order (each round starts one further along). */
export const LATENCY_KINDS = [HEALTH, FLOOR, HIT, MISS_JS, MISS_TS];

/**
 * The memory phase's distinct snippets: JavaScript a little longer than MISS_JS (a loop, so the
 * fuel instrumentation has work), each compiled once and run once in a one-off isolate.
 */
export const MEMORY_SNIPPET = {
  name: "memory",
  label: "execute miss JS (memory phase)",
  request: (i) =>
    execute({
      code: `const values = [${i}, args.n, 3];\nlet total = 0;\nfor (const v of values) total += v;\nreturn total;`,
      language: "javascript",
      args: { n: 1 },
    }),
  check: (body, i) => checkExecution(body, { result: i + 4, cached: false }),
};

export function typeScriptSnippet(i) {
  return `interface Input { n: number }\nconst base: number = ${i};\nreturn base + (args as Input).n;`;
}

function execute(body) {
  return {
    path: "/execute",
    init: { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  };
}

export function checkExecution(body, expected) {
  if (body?.ok !== true) return `expected ok: true, got ${JSON.stringify(body?.error ?? body)}`;
  if (body.result !== expected.result) return `expected result ${expected.result}, got ${JSON.stringify(body.result)}`;
  if (body.cached !== expected.cached) return `expected cached: ${expected.cached}, got ${body.cached}`;
  return undefined;
}
