// Per-checkpoint overhead of Keel's runner on each store, and the time to resume a long execution.
//
//   pnpm build && node bench/checkpoint-overhead.mjs [memory lowdb sqlite postgres] [--sizes 10,1000,10000]
//
// A checkpoint here does no work and returns a 1 KB object, so what is measured is Keel: assigning
// the id, checking for a record, writing the `running` record, encoding and hashing the output,
// writing the blob and the `completed` record. Postgres uses KEEL_BENCH_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test) in a fresh schema that is dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { checkpoint, createRuntime, lowdbStore, memoryStore, wait } from '@keel/core';

const args = process.argv.slice(2);
const sizesFlag = args.indexOf('--sizes');
const sizes = sizesFlag >= 0 ? args[sizesFlag + 1].split(',').map(Number) : [10, 1_000, 10_000];
const storeNames = args.filter((arg, index) => !arg.startsWith('--') && (sizesFlag < 0 || index !== sizesFlag + 1));
const selected = storeNames.length ? storeNames : ['memory', 'lowdb', 'sqlite', 'postgres'];

const output = { text: 'x'.repeat(1_000), n: 0 }; // ~1 KB once encoded

async function openStore(name) {
  if (name === 'memory') return { store: memoryStore(), cleanup: async () => {} };
  if (name === 'lowdb') {
    const folder = mkdtempSync(join(tmpdir(), 'keel-bench-'));
    return { store: lowdbStore(join(folder, '.keel')), cleanup: async () => rmSync(folder, { recursive: true, force: true }) };
  }
  if (name === 'sqlite') {
    const { sqliteStore } = await import('@keel/store-sqlite');
    const folder = mkdtempSync(join(tmpdir(), 'keel-bench-'));
    return { store: sqliteStore(join(folder, 'keel.db')), cleanup: async () => rmSync(folder, { recursive: true, force: true }) };
  }
  if (name === 'postgres') {
    const { postgresStore } = await import('@keel/store-postgres');
    const pg = (await import('pg')).default;
    const url = process.env.KEEL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `keel_bench_${process.pid}`;
    const store = postgresStore(url, { schema });
    return {
      store,
      cleanup: async () => {
        const client = new pg.Client(url);
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  }
  throw new Error(`unknown store ${name}`);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const average = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const ms = (value) => value.toFixed(3);

async function measure(name, count) {
  const { store, cleanup } = await openStore(name);
  const runtime = createRuntime({ store });
  const timings = [];
  let firstRun = true; // the resume replays the same loop: only the first run's calls are measured
  const long = runtime.flow(`bench-${count}`, async () => {
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      await checkpoint('step', () => ({ ...output, n: index }));
      if (firstRun) timings.push(performance.now() - started);
    }
    await wait('done', { schema: z.literal(true) });
    return count;
  });
  const first = await long.run(undefined);
  firstRun = false;
  await runtime.executions.input(first.executionId, 'done', true);
  const resumeStarted = performance.now();
  const resumed = await long.resume(first.executionId);
  const resumeMs = performance.now() - resumeStarted;
  if (resumed.status !== 'completed') throw new Error(`resume ended ${resumed.status}: ${resumed.error?.message}`);
  await runtime.close();
  await cleanup();
  const sorted = [...timings].sort((a, b) => a - b);
  const head = timings.slice(0, Math.min(100, count));
  const tail = timings.slice(-Math.min(100, count));
  return {
    store: name,
    checkpoints: count,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    first100: average(head),
    last100: average(tail),
    growth: average(tail) / average(head),
    resumeMs,
  };
}

const rows = [];
for (const name of selected) {
  for (const count of sizes) {
    try {
      rows.push(await measure(name, count));
    } catch (error) {
      console.error(`${name} @ ${count}: skipped (${error.message})`);
    }
  }
}

console.log(`\nKeel checkpoint overhead — 1 KB output per checkpoint, Node ${process.version}\n`);
console.log('store     checkpoints   p50 ms   p99 ms   first100 ms  last100 ms  last/first  resume all ms');
for (const row of rows) {
  console.log(
    `${row.store.padEnd(9)} ${String(row.checkpoints).padStart(11)} ${ms(row.p50).padStart(8)} ${ms(row.p99).padStart(8)} ` +
      `${ms(row.first100).padStart(12)} ${ms(row.last100).padStart(11)} ${row.growth.toFixed(2).padStart(11)} ${row.resumeMs.toFixed(1).padStart(14)}`,
  );
}
console.log(`\nrerun: pnpm build && node bench/checkpoint-overhead.mjs ${selected.join(' ')} --sizes ${sizes.join(',')}`);
