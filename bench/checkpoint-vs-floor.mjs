// Keel's per-checkpoint cost on a file store beside the floor it is held to, measured in pairs: each
// iteration times one write+rename of the same 1 KB (what one document write costs at least) and then
// one checkpoint, so the ratio of their p50s holds even when a shared machine's disk speed drifts
// between runs (which makes separate runs of floors.mjs and checkpoint-overhead.mjs hard to compare).
//
//   pnpm build && node bench/checkpoint-vs-floor.mjs [lowdb memory] [--count 3000]
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkpoint, createRuntime, lowdbStore, memoryStore } from '@keel/core';
import { percentile } from './lib/stats.mjs';

const output = { text: 'x'.repeat(1_000), n: 0 }; // ~1 KB once encoded, as in checkpoint-overhead.mjs
const floorPayload = JSON.stringify(output);

async function measure(storeName, count) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-pair-'));
  const store = storeName === 'memory' ? memoryStore() : lowdbStore(join(folder, '.keel'));
  const runtime = createRuntime({ store });
  const floorFile = join(folder, 'floor.json');
  const floors = [];
  const checkpoints = [];
  try {
    await runtime
      .flow('paired', async () => {
        for (let index = 0; index < count; index++) {
          let started = performance.now();
          writeFileSync(`${floorFile}.tmp`, floorPayload);
          renameSync(`${floorFile}.tmp`, floorFile);
          floors.push(performance.now() - started);
          started = performance.now();
          await checkpoint('step', () => ({ ...output, n: index }));
          checkpoints.push(performance.now() - started);
        }
      })
      .run(undefined);
  } finally {
    await runtime.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const p50 = (timings) =>
    percentile(
      [...timings].sort((a, b) => a - b),
      50,
    );
  return { store: storeName, count, floor: p50(floors), checkpoint: p50(checkpoints) };
}

const args = process.argv.slice(2);
const countFlag = args.indexOf('--count');
const count = countFlag >= 0 ? Number(args[countFlag + 1]) : 3_000;
const stores = args.filter((arg, index) => !arg.startsWith('--') && (countFlag < 0 || index !== countFlag + 1));
console.log(`\nKeel checkpoint p50 beside a 1 KB write+rename p50, measured in pairs, ${count} each, Node ${process.version}\n`);
console.log('store     write+rename ms   checkpoint ms   checkpoint / write+rename');
for (const name of stores.length ? stores : ['lowdb']) {
  const row = await measure(name, count);
  console.log(
    `${row.store.padEnd(9)} ${row.floor.toFixed(3).padStart(15)} ${row.checkpoint.toFixed(3).padStart(15)} ${(row.checkpoint / row.floor).toFixed(2).padStart(27)}`,
  );
}
console.log(`\nrerun: pnpm build && node bench/checkpoint-vs-floor.mjs ${stores.join(' ') || 'lowdb'} --count ${count}`);
