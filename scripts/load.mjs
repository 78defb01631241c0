#!/usr/bin/env node
// `npm run load [-- --clients N --seconds M --max-requests R --seed S --json out.json]`: a load test
// of the service, started exactly as `npm start` starts it (scripts/dev-server.mjs, on 127.0.0.1,
// with fresh state). N concurrent clients (default 8) send requests for M seconds (default 30),
// at most --max-requests in all, each bounded by a client-side timeout:
//
//   benign   70%  cache hits of every shape, small $.kv / $.db writes (acknowledgements recorded),
//                 and reads of writes acknowledged earlier in the run
//   miss     20%  a new snippet each time (compile plus a fresh isolate)
//   hostile  10%  endless loops with small timeouts, memory bombs, log floods, huge results,
//                 fetch to loopback: each must end in ok:false of its documented kind
//
// It reports requests/s, p50/p99 latency of the benign requests, and counts of 5xx answers, dropped
// requests (network errors and timeouts) and wrong results, which must all be zero. Afterwards the
// service must still be healthy, and every write acknowledged during the run must read back.
// Exit code 0 only when all of that holds. The mix is drawn from a seeded generator (--seed).

import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { formatTable, ms, summarize } from "../bench/stats.mjs";
import { abortOnSignals, startDevServer } from "./dev-server.mjs";

/** A request that takes longer than this is dropped (hostile deadlines here are at most 1 s). */
const REQUEST_TIMEOUT_MS = 20_000;
/** How many failure descriptions to keep per category (all failures are counted). */
const MAX_SAMPLES = 8;
/** Acknowledged writes read back per verification request. */
const VERIFY_BATCH = 100;

/** Aborted on SIGINT/SIGTERM: requests in flight end, the clients stop, the server stops. */
const interrupt = new AbortController();

// ---------------------------------------------------------------------------------------------
// The mix
// ---------------------------------------------------------------------------------------------

/**
 * Cache hits: constant code (args are not part of the id), primed before the run, one per shape.
 * `expected(n)` is the result for `args: { n }`.
 */
const HITS = [
  { language: "javascript", code: "return args.n * 2", expected: (n) => n * 2 },
  { language: "typescript", code: "const n: number = args.n;\nreturn n + 1", expected: (n) => n + 1 },
  { language: "javascript", code: "const n = args.n;\n[n, n % 7]", expected: (n) => [n, n % 7] },
  {
    language: "typescript",
    code: "(args: { n: number }) => String(args.n).padStart(8, '0')",
    expected: (n) => String(n).padStart(8, "0"),
  },
  {
    language: "javascript",
    code: "export default function (args) {\n  return { n: args.n, even: args.n % 2 === 0 };\n}",
    expected: (n) => ({ n, even: n % 2 === 0 }),
  },
  {
    language: "javascript",
    code: "Here you go:\n```ts\nconst xs: number[] = [args.n, 1, 2];\nreturn xs.reduce((a, b) => a + b, 0);\n```",
    expected: (n) => n + 3,
  },
];

const KV_PUT = "await $.kv.put(args.key, args.value);\nreturn args.key";
const KV_GET = "return await $.kv.get(args.key)";
const KV_GET_MANY = "return await Promise.all(args.keys.map((key) => $.kv.get(key)))";
const DB_PUT = "return await $.db.put(args.collection, args.id, args.doc)";
const DB_GET = "return await $.db.get(args.collection, args.id)";
const DB_GET_MANY = "return await Promise.all(args.ids.map((id) => $.db.get(args.collection, id)))";

/** Hostile snippets and the `error.kind` each must end in (docs/api.md, "Guarantees"). */
function hostileSnippets(selfUrl) {
  const self = new URL(selfUrl);
  return [
    { name: "endless loop", code: "while (true) {}", timeoutMs: 300, kind: "timeout" },
    { name: "loop in a callback", code: "[1].forEach(() => { for (;;) {} })", timeoutMs: 300, kind: "timeout" },
    { name: "promise that never settles", code: "await new Promise(() => {})", timeoutMs: 200, kind: "timeout" },
    { name: "huge typed array", code: "new Uint8Array(2 ** 33)", kind: "resource" },
    { name: "huge filled array", code: "new Array(1e9).fill(0)", kind: "resource" },
    { name: "huge repeated string", code: "'x'.repeat(2 ** 29)", kind: "resource" },
    { name: "unbounded recursion", code: "function f(n) { return f(n + 1) + 1 }\nreturn f(0)", kind: "resource" },
    { name: "log flood", code: "while (true) console.log('flood')", kind: "resource" },
    { name: "huge result", code: "return 'x'.repeat(5e6)", kind: "resource" },
    {
      name: "fetch to loopback",
      code: "return (await fetch('http://127.0.0.1:1/')).status",
      kind: "runtime",
    },
    {
      name: "fetch to the service itself, allowed",
      code: `return (await fetch(${JSON.stringify(`${self.origin}/health`)})).status`,
      network: { allow: [self.host] },
      kind: "runtime",
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Options and helpers
// ---------------------------------------------------------------------------------------------

function parseOptions() {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "8" },
      seconds: { type: "string", default: "30" },
      "max-requests": { type: "string", default: "200000" },
      seed: { type: "string" },
      json: { type: "string" },
    },
  });
  const positive = (name, value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) {
      throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
    }
    return number;
  };
  return {
    clients: positive("clients", values.clients),
    seconds: positive("seconds", values.seconds),
    maxRequests: positive("max-requests", values["max-requests"]),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positive("seed", values.seed),
    json: values.json,
  };
}

/** mulberry32: a small seeded generator, so a run's mix can be replayed with --seed. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function pick(next, list) {
  return list[Math.floor(next() * list.length)];
}

/**
 * One POST /execute. Resolves to `{ status, body, latencyMs }`, or `{ dropped }` when the
 * connection failed or the request timed out; never rejects.
 */
async function execute(url, request) {
  const signal = AbortSignal.any([interrupt.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  const started = performance.now();
  try {
    const response = await fetch(`${url}/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
      signal,
    });
    const text = await response.text();
    const latencyMs = performance.now() - started;
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text, latencyMs };
  } catch (error) {
    return { dropped: `${error.name}: ${error.message}${error.cause ? ` (${error.cause.message})` : ""}` };
  }
}

/** Why a 200 answer is not `ok: true` with `expected` as its result; nothing when it is. */
function wrongResult(body, expected) {
  if (body?.ok !== true) return `expected ok: true, got ${JSON.stringify(body?.error ?? body).slice(0, 300)}`;
  if (!isDeepStrictEqual(body.result, expected)) {
    return `expected result ${JSON.stringify(expected)}, got ${JSON.stringify(body.result)?.slice(0, 300)}`;
  }
  return undefined;
}

/** Why a 200 answer is not `ok: false` of `kind`; nothing when it is. */
function wrongFailure(body, kind) {
  if (body?.ok !== false) return `expected ok: false of kind ${kind}, got ok: ${JSON.stringify(body?.ok)}`;
  if (body.error?.kind !== kind) {
    return `expected error kind ${kind}, got ${body.error?.kind}: ${String(body.error?.message).slice(0, 200)}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

const CATEGORIES = [
  { name: "hit", label: "benign: cache hit", benign: true },
  { name: "kvPut", label: "benign: kv write", benign: true },
  { name: "dbPut", label: "benign: db write", benign: true },
  { name: "readBack", label: "benign: read back", benign: true },
  { name: "miss", label: "cache miss", benign: false },
  { name: "hostile", label: "hostile", benign: false },
];

function newTally() {
  return { n: 0, fiveXx: 0, dropped: 0, wrong: 0, latencyMs: [], samples: [], uncached: 0, kinds: {} };
}

class Load {
  constructor(url, options, runId) {
    this.url = url;
    this.options = options;
    this.runId = runId;
    this.collection = `load-${runId}`;
    this.hostile = hostileSnippets(url);
    this.tallies = Object.fromEntries(CATEGORIES.map((category) => [category.name, newTally()]));
    /** Acknowledged writes: key → value, id → doc. */
    this.kv = new Map();
    this.db = new Map();
    this.issued = 0;
    this.misses = 0;
  }

  /** Compiles every cache-hit snippet once, so that requests for them during the run are hits. */
  async prime() {
    for (const hit of HITS) {
      const answer = await execute(this.url, { code: hit.code, language: hit.language, args: { n: 1 } });
      const why = answer.dropped ?? (answer.status === 200 ? wrongResult(answer.body, hit.expected(1)) : answer.text);
      if (why) throw new Error(`priming ${JSON.stringify(hit.code)} failed: ${why}`);
    }
  }

  async client(index, endAt) {
    const next = random(this.options.seed + index * 7919);
    let sequence = 0;
    while (performance.now() < endAt && this.issued < this.options.maxRequests && !interrupt.signal.aborted) {
      this.issued++;
      sequence++;
      const roll = next() * 100;
      if (roll < 70) await this.benign(next, `${index}-${sequence}`);
      else if (roll < 90) await this.miss(next);
      else await this.hostileRequest(next);
    }
  }

  async benign(next, tag) {
    const roll = next() * 100;
    if (roll < 20) return this.kvPut(tag, next);
    if (roll < 40) return this.dbPut(tag, next);
    if (roll < 50 && (this.kv.size > 0 || this.db.size > 0)) return this.readBack(next);
    const hit = pick(next, HITS);
    const n = Math.floor(next() * 1e6);
    return this.send("hit", { code: hit.code, language: hit.language, args: { n } }, (body, tally) => {
      if (body?.cached === false) tally.uncached++;
      return wrongResult(body, hit.expected(n));
    });
  }

  async kvPut(tag, next) {
    const key = `load/${this.runId}/${tag}`;
    const value = `v${Math.floor(next() * 1e9)}`;
    await this.send("kvPut", { code: KV_PUT, language: "javascript", args: { key, value } }, (body) => {
      const why = wrongResult(body, key);
      if (!why) this.kv.set(key, value);
      return why;
    });
  }

  async dbPut(tag, next) {
    const id = tag;
    const doc = { tag, n: Math.floor(next() * 1e9), tags: ["load", this.runId] };
    const request = { code: DB_PUT, language: "javascript", args: { collection: this.collection, id, doc } };
    await this.send("dbPut", request, (body) => {
      const why = wrongResult(body, { id });
      if (!why) this.db.set(id, doc);
      return why;
    });
  }

  async readBack(next) {
    const useKv = this.db.size === 0 || (this.kv.size > 0 && next() < 0.5);
    if (useKv) {
      const key = pick(next, [...this.kv.keys()]);
      const value = this.kv.get(key);
      await this.send("readBack", { code: KV_GET, args: { key } }, (body) => wrongResult(body, value));
    } else {
      const id = pick(next, [...this.db.keys()]);
      const doc = this.db.get(id);
      const request = { code: DB_GET, args: { collection: this.collection, id } };
      await this.send("readBack", request, (body) => wrongResult(body, doc));
    }
  }

  async miss(next) {
    const i = ++this.misses;
    const n = Math.floor(next() * 1000);
    // Unique per run and per request: never in the compile cache.
    const typescript = i % 2 === 0;
    const code = typescript
      ? `// ${this.runId} miss ${i}\nconst base: number = ${i};\nreturn base + (args.n as number)`
      : `// ${this.runId} miss ${i}\nreturn ${i} + args.n`;
    await this.send(
      "miss",
      { code, language: typescript ? "typescript" : "javascript", args: { n } },
      (body) =>
        wrongResult(body, i + n) ?? (body.cached === true ? "a new snippet was served from the cache" : undefined),
    );
  }

  async hostileRequest(next) {
    const snippet = pick(next, this.hostile);
    const request = { code: snippet.code, language: "javascript" };
    if (snippet.timeoutMs) request.timeoutMs = snippet.timeoutMs;
    if (snippet.network) request.network = snippet.network;
    await this.send("hostile", request, (body, tally) => {
      const kind = body?.error?.kind ?? "none";
      tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;
      const why = wrongFailure(body, snippet.kind);
      return why && `${snippet.name}: ${why}`;
    });
  }

  /** Sends one request and files its outcome under `category`; `check(body, tally)` says what is wrong. */
  async send(category, request, check) {
    const tally = this.tallies[category];
    const answer = await execute(this.url, request);
    if (interrupt.signal.aborted) return;
    tally.n++;
    const sample = (text) => {
      if (tally.samples.length < MAX_SAMPLES) tally.samples.push(text);
    };
    if (answer.dropped) {
      tally.dropped++;
      sample(`dropped: ${answer.dropped}`);
      return;
    }
    tally.latencyMs.push(answer.latencyMs);
    if (answer.status >= 500) {
      tally.fiveXx++;
      sample(`HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
      return;
    }
    const why =
      answer.status === 200 ? check(answer.body, tally) : `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
    if (why) {
      tally.wrong++;
      sample(why);
    }
  }

  /** Reads back every acknowledged write, in batches; returns what is missing or could not be read. */
  async verifyWrites() {
    const report = {
      kv: { acknowledged: this.kv.size, readBack: 0, missing: [] },
      db: { acknowledged: this.db.size, readBack: 0, missing: [] },
      errors: [],
    };
    const batches = (entries) => {
      const list = [...entries];
      const out = [];
      for (let i = 0; i < list.length; i += VERIFY_BATCH) out.push(list.slice(i, i + VERIFY_BATCH));
      return out;
    };
    for (const batch of batches(this.kv)) {
      const keys = batch.map(([key]) => key);
      const answer = await execute(this.url, { code: KV_GET_MANY, args: { keys } });
      if (answer.dropped || answer.status !== 200 || answer.body?.ok !== true) {
        report.errors.push(`kv read-back failed: ${answer.dropped ?? answer.text?.slice(0, 300)}`);
        continue;
      }
      batch.forEach(([key, value], i) => {
        if (answer.body.result?.[i] === value) report.kv.readBack++;
        else report.kv.missing.push(key);
      });
    }
    for (const batch of batches(this.db)) {
      const ids = batch.map(([id]) => id);
      const answer = await execute(this.url, { code: DB_GET_MANY, args: { collection: this.collection, ids } });
      if (answer.dropped || answer.status !== 200 || answer.body?.ok !== true) {
        report.errors.push(`db read-back failed: ${answer.dropped ?? answer.text?.slice(0, 300)}`);
        continue;
      }
      batch.forEach(([id, doc], i) => {
        if (isDeepStrictEqual(answer.body.result?.[i], doc)) report.db.readBack++;
        else report.db.missing.push(id);
      });
    }
    return report;
  }
}

/** GET /health answers {"ok":true} and a benign snippet still runs: what is wrong, or nothing. */
async function healthProblem(url) {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await response.json();
    if (response.status !== 200 || body?.ok !== true)
      return `GET /health: HTTP ${response.status} ${JSON.stringify(body)}`;
  } catch (error) {
    return `GET /health failed: ${error.message}`;
  }
  const answer = await execute(url, { code: "return 6 * 7" });
  if (answer.dropped) return `a benign snippet was dropped: ${answer.dropped}`;
  return answer.status === 200 ? wrongResult(answer.body, 42) : `a benign snippet got HTTP ${answer.status}`;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function summarizeRun(load, meta) {
  const categories = {};
  const all = newTally();
  const benign = newTally();
  for (const category of CATEGORIES) {
    const tally = load.tallies[category.name];
    categories[category.name] = {
      label: category.label,
      requests: tally.n,
      fiveXx: tally.fiveXx,
      dropped: tally.dropped,
      wrong: tally.wrong,
      latencyMs: summarize(tally.latencyMs),
      ...(category.name === "hit" ? { servedUncached: tally.uncached } : {}),
      ...(category.name === "hostile" ? { errorKinds: tally.kinds } : {}),
      samples: tally.samples,
    };
    for (const into of category.benign ? [all, benign] : [all]) {
      into.n += tally.n;
      into.fiveXx += tally.fiveXx;
      into.dropped += tally.dropped;
      into.wrong += tally.wrong;
      into.latencyMs.push(...tally.latencyMs);
    }
  }
  const totals = (tally) => ({
    requests: tally.n,
    fiveXx: tally.fiveXx,
    dropped: tally.dropped,
    wrong: tally.wrong,
    latencyMs: summarize(tally.latencyMs),
  });
  return {
    ...meta,
    requestsPerSecond: Math.round((all.n / (meta.durationMs / 1000)) * 10) / 10,
    benign: totals(benign),
    all: totals(all),
    categories,
  };
}

function printSummary(figures) {
  console.log(`\ndate:     ${figures.date}`);
  console.log(`node:     ${figures.node}`);
  console.log(`cpu:      ${figures.cpu.model} (${figures.cpu.cores} cores)`);
  console.log(
    `run:      ${figures.options.clients} clients for ${figures.options.seconds} s (seed ${figures.options.seed}), ${(figures.durationMs / 1000).toFixed(1)} s measured\n`,
  );
  const header = ["requests", "n", "5xx", "dropped", "wrong", "p50 ms", "p99 ms", "max ms"];
  const row = (label, totals) => [
    label,
    String(totals.requests),
    String(totals.fiveXx),
    String(totals.dropped),
    String(totals.wrong),
    ms(totals.latencyMs.p50),
    ms(totals.latencyMs.p99),
    ms(totals.latencyMs.max),
  ];
  const rows = [
    ...Object.values(figures.categories).map((category) => row(category.label, category)),
    row("benign (all)", figures.benign),
    row("all", figures.all),
  ];
  console.log(formatTable(header, rows));
  const hostile = figures.categories.hostile.errorKinds;
  const writes = figures.writes;
  console.log(`\nrequests/s:            ${figures.requestsPerSecond}`);
  console.log(
    `benign latency:        p50 ${ms(figures.benign.latencyMs.p50)} ms, p99 ${ms(figures.benign.latencyMs.p99)} ms`,
  );
  console.log(
    `hostile outcomes:      ${Object.entries(hostile)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(", ")}`,
  );
  console.log(`cache hits uncached:   ${figures.categories.hit.servedUncached} (evicted; informational)`);
  console.log(
    `acknowledged writes:   kv ${writes.kv.readBack}/${writes.kv.acknowledged} read back, db ${writes.db.readBack}/${writes.db.acknowledged} read back`,
  );
  console.log(`healthy after the run: ${figures.health.ok ? "yes" : `NO (${figures.health.problem})`}`);
  for (const category of Object.values(figures.categories)) {
    if (category.samples.length === 0) continue;
    console.log(`\nfailures of ${category.label} (first ${category.samples.length}):`);
    for (const sample of category.samples) console.log(`  ${sample}`);
  }
  for (const error of writes.errors) console.log(`  ${error}`);
  if (writes.kv.missing.length + writes.db.missing.length > 0) {
    console.log(`\nmissing kv keys: ${writes.kv.missing.slice(0, 10).join(", ")}`);
    console.log(`missing db ids: ${writes.db.missing.slice(0, 10).join(", ")}`);
  }
  console.log(`\n${figures.pass ? "PASS" : "FAIL"}: ${figures.verdict}`);
}

function verdictOf(figures) {
  const problems = [];
  const { fiveXx, dropped, wrong } = figures.all;
  if (fiveXx > 0) problems.push(`${fiveXx} 5xx`);
  if (dropped > 0) problems.push(`${dropped} dropped`);
  if (wrong > 0) problems.push(`${wrong} wrong results`);
  const missing = figures.writes.kv.missing.length + figures.writes.db.missing.length;
  if (missing > 0) problems.push(`${missing} acknowledged writes missing`);
  if (figures.writes.errors.length > 0) problems.push(`${figures.writes.errors.length} read-back requests failed`);
  if (!figures.health.ok) problems.push("unhealthy after the run");
  if (figures.all.requests === 0) problems.push("no requests completed");
  return problems.length === 0
    ? { pass: true, verdict: "no 5xx, no dropped requests, no wrong results, every acknowledged write read back" }
    : { pass: false, verdict: problems.join(", ") };
}

async function main() {
  const options = parseOptions();
  abortOnSignals(interrupt);

  const serverLog = [];
  const printServerLog = () => console.error(serverLog.join("").split("\n").slice(-30).join("\n"));
  console.log("starting the service (wrangler dev on 127.0.0.1)…");
  let server;
  try {
    server = await startDevServer({ args: ["--ip", "127.0.0.1"], output: (text) => serverLog.push(text) });
  } catch (error) {
    printServerLog();
    throw error;
  }
  // However the run goes, it ends: requests are bounded by REQUEST_TIMEOUT_MS, and this backstop
  // stops everything should anything else hang.
  const backstopMs = options.seconds * 1000 + REQUEST_TIMEOUT_MS * 3 + 120_000;
  const backstop = setTimeout(() => {
    console.error(`\nthe load run did not finish within ${backstopMs} ms; stopping`);
    process.exitCode = 1;
    interrupt.abort();
  }, backstopMs);
  backstop.unref();

  try {
    if (interrupt.signal.aborted) return;
    const runId = `${Date.now().toString(36)}-${options.seed.toString(36)}`;
    const load = new Load(server.url, options, runId);
    console.log(`service on ${server.url}; priming ${HITS.length} cache-hit snippets…`);
    await load.prime();
    console.log(`running ${options.clients} clients for ${options.seconds} s (seed ${options.seed})…`);
    const started = performance.now();
    const endAt = started + options.seconds * 1000;
    const progress = setInterval(() => {
      const done = Object.values(load.tallies).reduce((sum, tally) => sum + tally.n, 0);
      console.log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${done} requests`);
    }, 5000);
    try {
      await Promise.all(Array.from({ length: options.clients }, (_, index) => load.client(index, endAt)));
    } finally {
      clearInterval(progress);
    }
    const durationMs = performance.now() - started;
    if (interrupt.signal.aborted) return;

    console.log("checking the service and reading back every acknowledged write…");
    const problem = await healthProblem(server.url);
    const writes = await load.verifyWrites();
    const figures = summarizeRun(load, {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: { model: cpus()[0]?.model ?? "unknown", cores: cpus().length },
      options: {
        clients: options.clients,
        seconds: options.seconds,
        maxRequests: options.maxRequests,
        seed: options.seed,
      },
      durationMs: Math.round(durationMs),
    });
    figures.health = problem === undefined ? { ok: true } : { ok: false, problem };
    figures.writes = writes;
    Object.assign(figures, verdictOf(figures));
    printSummary(figures);
    if (options.json) {
      writeFileSync(options.json, `${JSON.stringify(figures, null, 2)}\n`);
      console.log(`wrote ${options.json}`);
    }
    if (!figures.pass) {
      process.exitCode = 1;
      console.error("\nlast lines of the server's output:");
      printServerLog();
    }
  } catch (error) {
    printServerLog();
    throw error;
  } finally {
    clearTimeout(backstop);
    await server.stop();
  }
}

await main();
