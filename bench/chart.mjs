// Draws the benchmark's figures as one self-contained SVG (bench/chart.svg, shown in the README):
// latency per kind (p50 bars, p90 whiskers, the floor and /health marked), throughput, and the
// memory samples. Plain SVG text with a white background and no fonts, scripts or links, so
// GitHub renders it as an image in light and dark mode alike.

const WIDTH = 900;
const HEIGHT = 620;
const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif";
const COLORS = {
  text: "#1f2328",
  muted: "#59636e",
  grid: "#d1d9e0",
  reference: "#8c959f", // /health and the floor: what the other kinds are compared with
  execute: "#0969da",
  runtime: "#8250df",
  whisker: "#1f2328",
  floor: "#bf3989",
  health: "#1a7f37",
  bound: "#cf222e",
};

/** Returns the SVG text for the figures written to bench/results.json. */
export function drawChart(figures) {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${FONT}" font-size="12" fill="${COLORS.text}">`,
    `<title>${escapeXml(summaryLine(figures))}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(20, 30, "Functions.do executor: npm run bench", { size: 18, weight: "600" }),
    text(20, 50, machineLine(figures), { fill: COLORS.muted }),
    latencyPanel(figures, { x: 20, y: 80, width: 860 }),
    throughputPanel(figures.throughput, { x: 20, y: 340, width: 400 }),
    firstRequestPanel(figures.firstRequest, { x: 20, y: 500 }),
    memoryPanel(figures.memory, { x: 460, y: 340, width: 420 }),
    ...footerLines(figures).map((content, index) =>
      text(20, HEIGHT - 34 + index * 18, content, { fill: COLORS.muted }),
    ),
    "</svg>",
  ];
  return `${parts.join("\n")}\n`;
}

/** The chart in one sentence: its accessible name (and the tooltip where SVGs are shown inline). */
function summaryLine(figures) {
  const { health, hit, missJs, missTs } = figures.latency.kinds;
  return (
    `npm run bench, ${figures.date.slice(0, 10)}: p50 ${health.p50} ms GET /health, ${hit.p50} ms cache hit, ` +
    `${missJs.p50} ms JavaScript miss, ${missTs.p50} ms TypeScript miss`
  );
}

function machineLine(figures) {
  const date = figures.date.slice(0, 10);
  return `${date} · ${figures.cpu.model}, ${figures.cpu.cores} cores · Node ${figures.node.replace(/^v/, "")} · client-observed, fetch to last body byte`;
}

/** How many of the targets were met, and which were missed (wrapped to fit the width). */
function footerLines(figures) {
  const judged = figures.assessment.filter((check) => check.pass !== null);
  const failed = judged.filter((check) => !check.pass).map((check) => check.target.replace(/ \(.*\)$/, ""));
  const lines = [`Targets met: ${judged.length - failed.length} of ${judged.length} (all figures: bench/results.json)`];
  if (failed.length > 0) lines.push(`missed: ${failed.join("; ")}`);
  return lines;
}

/** Horizontal p50 bars with p90 whiskers per kind; dashed lines at the floor's and /health's p50. */
function latencyPanel(figures, { x, y, width }) {
  const { kinds } = figures.latency;
  const { runs, rounds } = figures.options;
  const order = ["health", "floor", "hit", "missJs", "missTs"];
  const labelWidth = 170;
  const valueWidth = 200;
  const plot = { x: x + labelWidth, width: width - labelWidth - valueWidth };
  const rowHeight = 36;
  const top = y + 24;
  const max = niceMax(Math.max(...order.map((name) => kinds[name].p90 ?? 0)));
  const scale = (value) => plot.x + (value / max) * plot.width;
  const bottom = top + order.length * rowHeight;
  const out = [
    text(
      x,
      y,
      `Latency per request (ms): bar p50, whisker p90; median of ${runs} run${runs === 1 ? "" : "s"} × ${rounds} interleaved rounds`,
      {
        size: 14,
        weight: "600",
      },
    ),
  ];
  for (const tick of ticks(max)) {
    const tx = scale(tick);
    out.push(line(tx, top - 4, tx, bottom, COLORS.grid));
    out.push(text(tx, bottom + 16, formatNumber(tick), { anchor: "middle", fill: COLORS.muted }));
  }
  order.forEach((name, index) => {
    const kind = kinds[name];
    const rowY = top + index * rowHeight;
    const barY = rowY + 8;
    const reference = name === "health" || name === "floor";
    out.push(text(x, barY + 14, labelOf(name, kind), {}));
    if (kind.p50 !== null) {
      out.push(rect(plot.x, barY, scale(kind.p50) - plot.x, 20, reference ? COLORS.reference : COLORS.execute));
    }
    if (kind.p50 !== null && kind.p90 !== null) {
      out.push(line(scale(kind.p50), barY + 10, scale(kind.p90), barY + 10, COLORS.whisker));
      out.push(line(scale(kind.p90), barY + 4, scale(kind.p90), barY + 16, COLORS.whisker));
    }
    const vx = plot.x + plot.width + 12;
    out.push(text(vx, barY + 7, `p50 ${formatMs(kind.p50)} · p90 ${formatMs(kind.p90)} ms`, { size: 11 }));
    out.push(
      text(vx, barY + 21, `${formatRatio(kind.ratioToHealth)} /health · ${formatRatio(kind.ratioToFloor)} floor`, {
        size: 11,
        fill: COLORS.muted,
      }),
    );
  });
  for (const [name, color, label] of [
    ["health", COLORS.health, "/health p50"],
    ["floor", COLORS.floor, "floor p50"],
  ]) {
    const p50 = kinds[name].p50;
    if (p50 === null) continue;
    const mx = scale(p50);
    out.push(line(mx, top - 4, mx, bottom, color, { dash: "4 3", width: 1.5 }));
    // Labels above the plot, one left and one right of their line, so close values stay readable.
    const left = name === "health" ? kinds.health.p50 <= kinds.floor.p50 : kinds.floor.p50 < kinds.health.p50;
    out.push(text(left ? mx - 4 : mx + 4, top - 8, label, { size: 11, fill: color, anchor: left ? "end" : "start" }));
  }
  return out.join("\n");
}

function labelOf(name, kind) {
  const labels = {
    health: "GET /health",
    floor: "bare-loader floor",
    hit: "/execute cache hit",
    missJs: "/execute miss, JavaScript",
    missTs: "/execute miss, TypeScript",
  };
  return labels[name] ?? kind.label;
}

/** Two bars: requests/s of /health and of cache hits with concurrent clients. */
function throughputPanel(throughput, { x, y, width }) {
  const out = [
    text(x, y, `Throughput (requests/s), ${throughput.clients} clients, ${throughput.seconds} s each`, {
      size: 14,
      weight: "600",
    }),
  ];
  const labelWidth = 100;
  const plotWidth = width - labelWidth - 110;
  const max = niceMax(Math.max(throughput.health.perSecond, throughput.hit.perSecond));
  const rows = [
    ["GET /health", throughput.health, COLORS.reference],
    ["cache hit", throughput.hit, COLORS.execute],
  ];
  rows.forEach(([label, figures, color], index) => {
    const rowY = y + 22 + index * 40;
    out.push(text(x, rowY + 16, label, {}));
    const barWidth = (figures.perSecond / max) * plotWidth;
    out.push(rect(x + labelWidth, rowY + 2, barWidth, 22, color));
    out.push(
      text(
        x + labelWidth + barWidth + 8,
        rowY + 17,
        `${Math.round(figures.perSecond)}/s, ${figures.errors.count} errors`,
        {
          size: 11,
        },
      ),
    );
  });
  out.push(
    text(x, y + 120, `cache hit / health: ${formatRatio(throughput.ratioHitToHealth)}`, {
      size: 12,
      fill: COLORS.muted,
    }),
  );
  return out.join("\n");
}

/** The first /execute of a fresh instance, sent the moment it reported ready. */
function firstRequestPanel(first, { x, y }) {
  const measured = first.error ? `failed: ${first.error}` : `${Math.round(first.latencyMs)} ms`;
  return [
    text(x, y, "First request after start", { size: 14, weight: "600" }),
    text(x, y + 24, `first /execute (TypeScript) on a fresh instance: ${measured}`, {}),
    text(x, y + 42, `sent as soon as /health answered, ${(first.readyMs / 1000).toFixed(1)} s after the start`, {
      size: 11,
      fill: COLORS.muted,
    }),
  ].join("\n");
}

/**
 * RSS against snippets sent, from 0 MiB: all workerd processes, and the runtime process alone with
 * the README's bound marked above its starting point (the bound is about the runtime's caches).
 */
function memoryPanel(memory, { x, y, width }) {
  if (memory.skipped) {
    return [
      text(x, y, "Host memory (workerd RSS)", { size: 14, weight: "600" }),
      text(x, y + 30, "skipped in this run (--skip-memory)", { fill: COLORS.muted }),
    ].join("\n");
  }
  const out = [text(x, y, "Host memory: workerd RSS (MiB)", { size: 14, weight: "600" })];
  const plot = { x: x + 44, y: y + 36, width: width - 60, height: 136 };
  const boundLevel = memory.runtime.beforeMiB + memory.bound.totalMiB;
  const maxY = niceMax(Math.max(boundLevel, ...memory.samples.map((sample) => sample.rssMiB)));
  const sx = (snippets) => plot.x + (snippets / memory.snippets) * plot.width;
  const sy = (mib) => plot.y + plot.height - (mib / maxY) * plot.height;
  for (const tick of ticks(maxY, 4)) {
    out.push(line(plot.x, sy(tick), plot.x + plot.width, sy(tick), COLORS.grid));
    out.push(text(plot.x - 6, sy(tick) + 4, formatNumber(tick), { anchor: "end", size: 11, fill: COLORS.muted }));
  }
  for (const tick of ticks(memory.snippets, 4)) {
    out.push(
      text(sx(tick), plot.y + plot.height + 16, formatNumber(tick), { anchor: "middle", size: 11, fill: COLORS.muted }),
    );
  }
  const dash = { dash: "4 3", width: 1.5 };
  out.push(line(plot.x, sy(boundLevel), plot.x + plot.width, sy(boundLevel), COLORS.bound, dash));
  const series = [
    ["all workerd", (sample) => sample.rssMiB, COLORS.execute],
    ["runtime", (sample) => sample.runtimeMiB, COLORS.runtime],
  ];
  for (const [, pick, color] of series) {
    const points = memory.samples.map((sample) => `${num(sx(sample.snippets))},${num(sy(pick(sample)))}`);
    out.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const sample of memory.samples) {
      out.push(`<circle cx="${num(sx(sample.snippets))}" cy="${num(sy(pick(sample)))}" r="3" fill="${color}"/>`);
    }
  }
  // The legend, in one row between the title and the plot.
  const legend = [
    ["all workerd", COLORS.execute, {}, 80],
    ["runtime", COLORS.runtime, {}, 64],
    [`runtime at start + README bound (${Math.round(memory.bound.totalMiB)} MiB)`, COLORS.bound, dash, 0],
  ];
  let lx = x;
  for (const [label, color, style, advance] of legend) {
    out.push(line(lx, y + 18, lx + 16, y + 18, color, { width: 2, ...style }));
    out.push(text(lx + 20, y + 22, label, { size: 11, fill: color }));
    lx += 20 + advance;
  }
  const { runtime } = memory;
  out.push(
    text(
      x,
      plot.y + plot.height + 36,
      `runtime ${formatSigned(runtime.growthMiB)} MiB, all ${formatSigned(memory.growthMiB)} MiB over ` +
        `${formatNumber(memory.snippets)} snippets; last half ${formatSigned(runtime.growthPer1000LastHalfMiB)} MiB/1,000`,
      { size: 11, fill: COLORS.muted },
    ),
  );
  return out.join("\n");
}

/** The smallest round number (1, 1.2, 1.5, 2, … × 10^k) at or above `value` × 1.1 (room for labels). */
function niceMax(value) {
  const target = Math.max(value * 1.1, 1e-9);
  const power = 10 ** Math.floor(Math.log10(target));
  const steps = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  return steps.map((m) => m * power).find((candidate) => candidate >= target) ?? 10 * power;
}

/** About `count` evenly spaced round ticks from 0 to `max`. */
function ticks(max, count = 5) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? 10 * power;
  const out = [];
  for (let tick = 0; tick <= max + step / 1e6; tick += step) out.push(Number(tick.toPrecision(12)));
  return out;
}

function text(x, y, content, { size, weight, fill, anchor } = {}) {
  const attributes = [
    `x="${num(x)}"`,
    `y="${num(y)}"`,
    size ? `font-size="${size}"` : "",
    weight ? `font-weight="${weight}"` : "",
    fill ? `fill="${fill}"` : "",
    anchor ? `text-anchor="${anchor}"` : "",
  ].filter(Boolean);
  return `<text ${attributes.join(" ")}>${escapeXml(content)}</text>`;
}

function rect(x, y, width, height, fill) {
  return `<rect x="${num(x)}" y="${num(y)}" width="${num(Math.max(0, width))}" height="${num(height)}" fill="${fill}"/>`;
}

function line(x1, y1, x2, y2, stroke, { dash, width = 1 } = {}) {
  const dashes = dash ? ` stroke-dasharray="${dash}"` : "";
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" stroke-width="${width}"${dashes}/>`;
}

function escapeXml(value) {
  return String(value).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** Coordinates with at most one decimal: smaller files, no visible difference. */
function num(value) {
  return String(Math.round(value * 10) / 10);
}

function formatNumber(value) {
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

function formatMs(value) {
  return value === null ? "–" : value.toFixed(2);
}

function formatRatio(value) {
  return typeof value === "number" ? `${value.toFixed(2)}×` : "–";
}

function formatSigned(value) {
  if (typeof value !== "number") return "–";
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}
