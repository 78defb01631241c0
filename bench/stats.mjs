// Summary statistics and the printed table of the benchmark. Kept apart from bench/run.mjs so
// the measuring loop reads on its own.

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
