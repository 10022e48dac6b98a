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
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { checkpoint, createRuntime, lowdbStore, memoryStore, wait } from '@keel/core';
import { dropSchema, postgresUrl, schemaName } from './lib/postgres.mjs';
import { ms, summarize, summarizeWarm } from './lib/stats.mjs';

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
    const schema = schemaName('keel');
    return { store: postgresStore(postgresUrl, { schema }), cleanup: () => dropSchema(schema) };
  }
  throw new Error(`unknown store ${name}`);
}

/**
 * Runs `count` checkpoints on store `name`, then resumes the execution past a wait, which replays
 * every one of them: the per-checkpoint timings of the first run and the time of the whole resume.
 * With `window`, `warm` is the summary of its `steps` checkpoints after the first `warmup` (how
 * `pnpm bench` compares Keel with the floors and the peers).
 */
export async function measureKeel(name, count, window) {
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
  return {
    store: name,
    ...summarize(timings),
    ...(window ? { warm: summarizeWarm(timings, window.warmup, window.steps) } : {}),
    resumeMs,
  };
}

async function main() {
  const args = process.argv.slice(2);
  const sizesFlag = args.indexOf('--sizes');
  const sizes = sizesFlag >= 0 ? args[sizesFlag + 1].split(',').map(Number) : [10, 1_000, 10_000];
  const storeNames = args.filter((arg, index) => !arg.startsWith('--') && (sizesFlag < 0 || index !== sizesFlag + 1));
  const selected = storeNames.length ? storeNames : ['memory', 'lowdb', 'sqlite', 'postgres'];
  const rows = [];
  for (const name of selected) {
    for (const count of sizes) {
      try {
        rows.push(await measureKeel(name, count));
      } catch (error) {
        console.error(`${name} @ ${count}: skipped (${error.message})`);
      }
    }
  }

  console.log(`\nKeel checkpoint overhead — 1 KB output per checkpoint, Node ${process.version}\n`);
  console.log('store     checkpoints   p50 ms   p99 ms   first100 p50 last100 p50 last/first  resume all ms');
  for (const row of rows) {
    console.log(
      `${row.store.padEnd(9)} ${String(row.count).padStart(11)} ${ms(row.p50).padStart(8)} ${ms(row.p99).padStart(8)} ` +
        `${ms(row.first100).padStart(12)} ${ms(row.last100).padStart(11)} ${row.growth.toFixed(2).padStart(11)} ${row.resumeMs.toFixed(1).padStart(14)}`,
    );
  }
  console.log(`\nrerun: pnpm build && node bench/checkpoint-overhead.mjs ${selected.join(' ')} --sizes ${sizes.join(',')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
