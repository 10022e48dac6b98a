// Summaries of a list of per-operation timings, as every bench reports them.

/** The value below which `p` percent of `sorted` (ascending) lie. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const average = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * p50, p99, and how the last 100 operations compare with the first 100: a ratio above 1 means each
 * operation gets slower as the history grows. The windows are compared by their medians, not their
 * means: SQLite folds its WAL into the database every ~1,000 pages (5–10 ms, about every 250
 * checkpoints), and one such write in a window of 100 moves its mean by 0.05–0.1 ms whether or not
 * anything grew. Those pauses show in p99.
 */
export function summarize(timings) {
  const sorted = [...timings].sort((a, b) => a - b);
  const window = Math.min(100, timings.length);
  const first100 = median(timings.slice(0, window));
  const last100 = median(timings.slice(-window));
  return { count: timings.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), first100, last100, growth: last100 / first100 };
}

/** The middle value of `values` (unsorted). */
export const median = (values) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/**
 * How many steps every per-step figure of `pnpm bench` leaves unmeasured before it starts timing.
 * V8 compiles a function once it has run enough of its bytecode, so a long path (Keel's runtime, its
 * PostgreSQL store and the `pg` client) is optimized later than a short one: on PostgreSQL Keel's p50
 * is 0.5-0.6 ms over steps 1,001-2,000 and 0.25-0.34 ms from about step 2,500 on, and with
 * `node --interrupt-budget=1000000` (V8 optimizes later) it stays at 0.6 ms for 4,000 steps. DBOS moves
 * by less than a tenth between the two windows. 3,000 measures every system once it is compiled, as a
 * worker that has been running for a while is.
 */
export const defaultWarmup = 3_000;

/**
 * The summary of the `steps` timings after the first `warmup`: how every per-step figure of `pnpm bench`
 * is taken, Keel's, the floors' and the peers' alike, so that none is measured while its code (see
 * {@link defaultWarmup}) or its connections are still cold and another warm.
 */
export function summarizeWarm(timings, warmup, steps) {
  return summarize(timings.slice(warmup, warmup + steps));
}

/** Milliseconds with three decimals. */
export const ms = (value) => (value === undefined ? '—' : value.toFixed(3));

/** Bytes in KB or MB. */
export function size(bytes) {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(2)} MB` : `${(bytes / 1_000).toFixed(1)} KB`;
}

/** Prints rows of cells as a table with a header, padding each column to its widest cell. */
export function printTable(header, rows) {
  const widths = header.map((cell, column) => Math.max(String(cell).length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
