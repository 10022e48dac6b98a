// What one session write costs the SQLite store, and which part of it costs what.
//
//   pnpm build && node bench/sqlite-write-cost.mjs [--steps 5000]
//
// Calls the store's writeCheckpoints directly (no runtime) `steps` times per variant, each in a fresh
// file: the session's usual write (a 1 KB blob and a checkpoint record, fenced), the same without the
// fence, without the blob, and the blob alone; beside the floor, one autocommitted INSERT of the 1 KB
// into a bare table. WAL mode, synchronous=NORMAL (the store's default).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sqliteStore } from '@keel/store-sqlite';
import Database from 'better-sqlite3';
import { ms, summarize } from './lib/stats.mjs';

const stepsFlag = process.argv.indexOf('--steps');
const steps = stepsFlag >= 0 ? Number(process.argv[stepsFlag + 1]) : 5_000;
const content = JSON.stringify({ text: 'x'.repeat(1_000), n: 0 });
const fence = { owner: 'worker', session: 1 };
const hashOf = (index) => `sha256:${createHash('sha256').update(String(index)).digest('hex')}`;
const record = (index) => ({
  executionId: 'ex_1',
  id: `step:${index + 1}`,
  parentId: null,
  name: 'step',
  kind: 'step',
  status: 'completed',
  seq: index,
  attempts: 1,
  delivery: 'at-least-once',
  durable: true,
  startedAt: 1,
  endedAt: 2,
  output: { hash: hashOf(index), size: content.length },
});

const variants = {
  'blob + record, fenced (a session call)': (index) => [{ blobs: [{ hash: hashOf(index), content }], checkpoints: [record(index)] }, fence],
  'blob + record, no fence': (index) => [{ blobs: [{ hash: hashOf(index), content }], checkpoints: [record(index)] }],
  'record only, fenced': (index) => [{ checkpoints: [record(index)] }, fence],
  'blob only': (index) => [{ blobs: [{ hash: hashOf(index), content }], checkpoints: [] }],
};

const rows = [];
for (const [name, write] of Object.entries(variants)) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-sqlite-write-'));
  const store = sqliteStore(join(folder, 'keel.db'));
  const lease = { owner: fence.owner, host: 'bench', pid: 1, expiresAt: Date.now() + 600_000 };
  await store.createExecution({ id: 'ex_1', flow: 'bench', status: 'running', input: { hash: 'sha256:00', size: 4 }, lease, sessions: 1, createdAt: 1 });
  const timings = [];
  for (let index = 0; index < steps; index++) {
    const started = performance.now();
    await store.writeCheckpoints(...write(index));
    timings.push(performance.now() - started);
  }
  rows.push([name, summarize(timings), timings.reduce((sum, value) => sum + value, 0) / steps]);
  await store.close();
  rmSync(folder, { recursive: true, force: true });
}
{
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-sqlite-write-'));
  const database = new Database(join(folder, 'floor.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, record TEXT NOT NULL)');
  const insert = database.prepare('INSERT INTO rows (id, record) VALUES (?, ?)');
  const timings = [];
  for (let index = 0; index < steps; index++) {
    const started = performance.now();
    insert.run(index, content);
    timings.push(performance.now() - started);
  }
  rows.push(['floor: one INSERT of the 1 KB', summarize(timings), timings.reduce((sum, value) => sum + value, 0) / steps]);
  database.close();
  rmSync(folder, { recursive: true, force: true });
}

console.log(`\nSQLite store, writeCheckpoints called directly — ${steps} writes each, 1 KB blob, Node ${process.version}\n`);
console.log(`${'write'.padEnd(40)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'mean ms'.padStart(8)}`);
for (const [name, summary, mean] of rows)
  console.log(`${name.padEnd(40)} ${ms(summary.p50).padStart(8)} ${ms(summary.p99).padStart(8)} ${ms(mean).padStart(8)}`);
console.log("\nThe mean is above the p50 by SQLite's WAL checkpoints (copying the log back into the file every ~1,000 pages).");
console.log(`rerun: pnpm build && node bench/sqlite-write-cost.mjs --steps ${steps}`);
