// The printed report of `npm run bench`: the figures of every phase as tables, then the targets.

import { LATENCY_KINDS } from "./kinds.mjs";
import { formatTable, ms } from "./stats.mjs";

export function printReport(figures) {
  const { options } = figures;
  console.log(`\ndate:    ${figures.date}`);
  console.log(`machine: ${figures.cpu.model} (${figures.cpu.cores} cores), ${figures.platform}, node ${figures.node}`);
  console.log(`time:    ${(figures.durationMs / 1000).toFixed(1)} s in all`);
  for (const reload of figures.reloads) {
    console.log(`WARNING: the service reloaded during ${reload.phase} (workerd ${reload.from} → ${reload.to}):`);
    console.log("         a source file changed under wrangler dev; figures from then on measure another build");
  }

  console.log(
    `\nLatency: median of ${options.runs} run${options.runs === 1 ? "" : "s"} × ${options.rounds} interleaved rounds (after ${options.warmup} warm-up rounds each)`,
  );
  console.log(latencyTable(figures.latency.kinds));
  console.log(
    "client-observed ms, fetch to last body byte; ×health, ×floor: p50 against GET /health's and the floor's",
  );
  console.log("compile, run: server-reported ms (whole ms: workerd's clock advances only on I/O)");

  const t = figures.throughput;
  console.log(`\nThroughput: ${t.clients} concurrent clients, ${t.seconds} s per kind (interleaved 1 s slices)`);
  console.log(
    formatTable(
      ["kind", "requests", "errors", "req/s", "×health"],
      [
        [
          "GET /health",
          String(t.health.requests),
          String(t.health.errors.count),
          t.health.perSecond.toFixed(1),
          "1.00×",
        ],
        [
          "execute hit",
          String(t.hit.requests),
          String(t.hit.errors.count),
          t.hit.perSecond.toFixed(1),
          `${t.ratioHitToHealth.toFixed(2)}×`,
        ],
      ],
    ),
  );

  const first = figures.firstRequest;
  console.log(`\nFirst request: a fresh instance answered /health after ${(first.readyMs / 1000).toFixed(1)} s;`);
  console.log(
    first.error
      ? `  its first /execute (TypeScript) failed: ${first.error}`
      : `  its first /execute (TypeScript) took ${ms(first.latencyMs)} ms (server compile ${first.compileMs} ms, run ${first.runMs} ms)`,
  );

  printMemory(figures.memory);

  console.log("\nTargets:");
  for (const check of figures.assessment) {
    const verdict = check.pass === null ? "INFO" : check.pass ? "PASS" : "FAIL";
    console.log(`  ${verdict}  ${check.target}: ${check.measured}`);
  }
  printErrorSamples(figures);
}

function latencyTable(kinds) {
  const header = [
    "kind",
    "n",
    "errors",
    "p50",
    "p90",
    "p99",
    "×health",
    "×floor",
    "compile p50",
    "compile p90",
    "run p50",
    "p50 per run",
  ];
  const rows = LATENCY_KINDS.map(({ name }) => {
    const kind = kinds[name];
    return [
      kind.label,
      String(kind.n),
      String(kind.errors.count),
      ms(kind.p50),
      ms(kind.p90),
      ms(kind.p99),
      ratio(kind.ratioToHealth),
      ratio(kind.ratioToFloor),
      name.startsWith("miss") ? ms(kind.server.compileMs.p50) : "–",
      name.startsWith("miss") ? ms(kind.server.compileMs.p90) : "–",
      kind.server ? ms(kind.server.runMs.p50) : "–",
      kind.runs.map((run) => ms(run.p50)).join(" / "),
    ];
  });
  return formatTable(header, rows);
}

function printMemory(memory) {
  if (memory.skipped) {
    console.log("\nMemory: skipped (--skip-memory)");
    return;
  }
  console.log(
    `\nMemory: workerd RSS under the service, ${memory.snippets} distinct JS snippets from ${memory.clients} clients ` +
      `(${memory.perSecond} snippets/s, p50 ${ms(memory.latencyMs.p50)} ms, ${memory.errors.count} errors)`,
  );
  const rows = memory.samples.map((sample) => [
    String(sample.snippets),
    `${sample.reloaded ? "*" : ""}${sample.rssMiB.toFixed(1)}`,
    delta(sample.rssMiB - memory.beforeMiB),
    sample.runtimeMiB.toFixed(1),
    delta(sample.runtimeMiB - memory.runtime.beforeMiB),
    sample.seconds.toFixed(1),
  ]);
  console.log(formatTable(["snippets", "all MiB", "Δ", "runtime MiB", "Δ", "s"], rows));
  if (memory.samples.some((sample) => sample.reloaded))
    console.log("* the service was reloaded since the sample before");
  console.log(
    `growth: all workerd +${memory.growthMiB} MiB, ${memory.growthPer1000LastHalfMiB} MiB per 1,000 snippets over the last half; ` +
      `runtime +${memory.runtime.growthMiB} MiB, ${memory.runtime.growthPer1000LastHalfMiB} MiB per 1,000; ` +
      `${memory.settledMiB} MiB in all after 5 s idle`,
  );
  const processes = memory.processes.map((p) => `${p.role} (pid ${p.pid}) ${p.beforeMiB} → ${p.afterMiB} MiB`);
  console.log(`workerd processes: ${processes.join("; ")}`);
}

function printErrorSamples(figures) {
  const tallies = [
    ...Object.entries(figures.latency.kinds).map(([name, kind]) => [`latency ${name}`, kind.errors]),
    ["latency warm-up", figures.latency.warmupErrors],
    ["throughput /health", figures.throughput.health.errors],
    ["throughput hit", figures.throughput.hit.errors],
    ...(figures.memory.skipped ? [] : [["memory", figures.memory.errors]]),
  ];
  for (const [phase, tally] of tallies) {
    if (tally.count === 0) continue;
    console.log(`\nerrors of ${phase}: ${tally.count} (first ${tally.samples.length}):`);
    for (const sample of tally.samples) console.log(`  ${sample}`);
  }
}

function delta(mib) {
  return `${mib >= 0 ? "+" : ""}${mib.toFixed(1)}`;
}

function ratio(value) {
  return typeof value === "number" ? `${value.toFixed(2)}×` : "–";
}
