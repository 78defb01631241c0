// The targets of the performance issue, checked against the figures of one benchmark run. Each
// check has its target, the measured value in words, and `pass` (true, false, or null when there is
// nothing to judge: the phase was skipped, or the line only reports).

/** Returns `[{ target, measured, pass }]`. */
export function assess(figures) {
  const { kinds } = figures.latency;
  const { hit, health, missJs, missTs } = kinds;
  const checks = [
    {
      target: "cache hit p50 ≤ 1.5 × /health p50",
      measured: `${times(hit.ratioToHealth)} (${hit.p50} vs ${health.p50} ms)`,
      pass: atMost(hit.ratioToHealth, 1.5),
    },
    {
      target: "cache hit p50 ≤ 1.2 × floor p50",
      measured: `${times(hit.ratioToFloor)} (${hit.p50} vs ${kinds.floor.p50} ms)`,
      pass: atMost(hit.ratioToFloor, 1.2),
    },
    {
      target: "JS miss compileMs p50 ≤ 2 ms",
      measured: `${missJs.server?.compileMs.p50} ms`,
      pass: atMost(missJs.server?.compileMs.p50, 2),
    },
    {
      target: "JS miss end-to-end p50 ≤ 2 × /health p50",
      measured: `${times(missJs.ratioToHealth)} (${missJs.p50} ms)`,
      pass: atMost(missJs.ratioToHealth, 2),
    },
    {
      target: "TS miss compileMs p50 ≤ 8 ms",
      measured: `${missTs.server?.compileMs.p50} ms`,
      pass: atMost(missTs.server?.compileMs.p50, 8),
    },
  ];

  const { throughput } = figures;
  const throughputErrors = throughput.hit.errors.count + throughput.health.errors.count;
  checks.push({
    target: "hit throughput ≥ 0.6 × /health throughput, 0 errors",
    measured: `${times(throughput.ratioHitToHealth)} (${throughput.hit.perSecond} vs ${throughput.health.perSecond} req/s), ${throughputErrors} errors`,
    pass: throughput.ratioHitToHealth >= 0.6 && throughputErrors === 0,
  });

  const first = figures.firstRequest;
  checks.push({
    target: "first /execute after ready ≤ 1 s",
    measured: first.error ? `error: ${first.error}` : `${first.latencyMs} ms`,
    pass: first.error ? false : first.latencyMs <= 1000,
  });

  const memory = figures.memory;
  if (memory.skipped) {
    checks.push({ target: "memory growth within the README bound", measured: "skipped (--skip-memory)", pass: null });
  } else {
    // A reload replaces the runtime process: the growth after it starts from an empty one.
    const reloaded = memory.samples.some((sample) => sample.reloaded) ? " [service reloaded: not comparable]" : "";
    // Judged on the runtime process, where the host isolate's caches and the sandboxes live; the
    // total (with wrangler's dev proxy) is shown alongside.
    const { runtime } = memory;
    checks.push({
      target: `memory growth of the runtime ≤ README bound (${memory.bound.compileCacheMiB} MiB cache + ${memory.bound.namedIsolates} × ~${memory.bound.perIsolateMB} MB isolates = ${memory.bound.totalMiB} MiB)`,
      measured:
        `runtime +${runtime.growthMiB} MiB (${runtime.beforeMiB} → ${runtime.finalMiB}), all workerd +${memory.growthMiB} MiB ` +
        `(${memory.beforeMiB} → ${memory.finalMiB}) over ${memory.snippets} snippets${reloaded}`,
      pass: reloaded ? null : runtime.growthMiB <= memory.bound.totalMiB,
    });
    const rate = runtime.growthPer1000LastHalfMiB;
    checks.push({
      target: "runtime memory growth per 1,000 snippets over the last half (plateau)",
      measured:
        `${signed(rate)} MiB per 1,000${plateauNote(runtime.growthMiB, memory.bound.totalMiB, rate)} ` +
        `(all workerd: ${signed(memory.growthPer1000LastHalfMiB)})${reloaded}`,
      pass: null,
    });
  }

  const reloads = figures.reloads.map((reload) => `${reload.phase} (workerd ${reload.from} → ${reload.to})`);
  checks.push({
    target: "the service ran one build throughout (no reload)",
    measured: reloads.length === 0 ? "no reload" : `reloaded during ${reloads.join("; ")}`,
    pass: reloads.length === 0,
  });

  const errors = totalErrors(figures);
  checks.push({ target: "every answer correct (all phases)", measured: `${errors} errors`, pass: errors === 0 });
  return checks;
}

/** Errors of every phase, warm-ups included. */
export function totalErrors(figures) {
  const latency = Object.values(figures.latency.kinds).reduce((sum, kind) => sum + kind.errors.count, 0);
  return (
    latency +
    figures.latency.warmupErrors.count +
    figures.throughput.hit.errors.count +
    figures.throughput.health.errors.count +
    (figures.firstRequest.error ? 1 : 0) +
    (figures.memory.skipped ? 0 : figures.memory.errors.count)
  );
}

/** Where the last half's rate leads: flat, over the bound already, or over it after N more snippets. */
function plateauNote(growth, bound, rate) {
  if (!(rate > 0)) return " (flat)";
  if (growth >= bound) return "; already over the bound, still growing";
  return `; at this rate over the bound after ~${Math.round(((bound - growth) / rate) * 1000)} more snippets`;
}

function signed(value) {
  return typeof value === "number" && value > 0 ? `+${value}` : String(value);
}

function atMost(value, limit) {
  return typeof value === "number" ? value <= limit : false;
}

function times(ratio) {
  return typeof ratio === "number" ? `${ratio.toFixed(2)}×` : "–";
}
