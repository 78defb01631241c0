// Summary statistics and table formatting of the benchmark (also used by scripts/load.mjs). Kept
// apart from the phases so the measuring loops read on their own.

/** Rounds to 2 decimals: the precision of the table, used for the JSON too so both agree. */
export function round2(value) {
  return Math.round(value * 100) / 100;
}

/** Nearest-rank percentile of an ascending array (`p` in 0..100); `null` when it is empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** p50/p90/p99, min, max and mean of a list of milliseconds, rounded to 2 decimals. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (p) => {
    const value = percentile(sorted, p);
    return value === null ? null : round2(value);
  };
  const mean = sorted.length === 0 ? null : round2(sorted.reduce((sum, x) => sum + x, 0) / sorted.length);
  return {
    n: sorted.length,
    p50: pick(50),
    p90: pick(90),
    p99: pick(99),
    min: pick(0),
    max: pick(100),
    mean,
  };
}

/** The median of a list of numbers (mean of the middle two when even); `null` when there are none. */
export function median(values) {
  const sorted = values.filter((value) => typeof value === "number").sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The least-squares slope of y over x for points `[{ x, y }]`; `null` with fewer than two x values. */
export function slope(points) {
  if (points.length < 2) return null;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

/** Renders rows (arrays of strings) as a left-aligned first column and right-aligned numbers. */
export function formatTable(header, rows) {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** A number of milliseconds for the table: 2 decimals, or an en dash when there is none. */
export function ms(value) {
  return value === null || value === undefined ? "–" : value.toFixed(2);
}
