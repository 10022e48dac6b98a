// Keel's per-checkpoint cost on a file store beside the floor it is held to, one write+rename of the
// same 1 KB (what one document write costs at least), timed in alternating blocks in one loop: a
// block of write+renames, then a block of checkpoints, and so on. A file system's speed drifts with
// what the disk is still flushing (a database's WAL, files deleted just before), so a floor timed a
// minute before Keel can be three times faster or slower than one timed beside it; blocks share
// the drift without one write landing in the middle of the other's.
//
//   pnpm build && node bench/checkpoint-vs-floor.mjs [lowdb memory] [--steps 1000] [--warmup 3000] [--block 100]
//
// Each p50 is taken over `steps` writes after `warmup` unmeasured ones, as everything in `pnpm bench`.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { checkpoint, createRuntime, lowdbStore, memoryStore } from '@keel/core';
import { defaultWarmup, summarizeWarm } from './lib/stats.mjs';

const output = { text: 'x'.repeat(1_000), n: 0 }; // ~1 KB once encoded, as in checkpoint-overhead.mjs
const floorPayload = JSON.stringify(output);

/** Keel's checkpoints on store `storeName` and write+renames, `warmup + steps` of each in alternating blocks. */
export async function measureCheckpointVsFloor(storeName, { steps, warmup, block = 100 }) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-pair-'));
  const store = storeName === 'memory' ? memoryStore() : lowdbStore(join(folder, '.keel'));
  const runtime = createRuntime({ store });
  const floorFile = join(folder, 'floor.json');
  const floors = [];
  const checkpoints = [];
  try {
    await runtime
      .flow('alternating', async () => {
        for (let index = 0; index < warmup + steps; index += block) {
          const end = Math.min(index + block, warmup + steps);
          for (let step = index; step < end; step++) {
            const started = performance.now();
            writeFileSync(`${floorFile}.tmp`, floorPayload);
            renameSync(`${floorFile}.tmp`, floorFile);
            floors.push(performance.now() - started);
          }
          for (let step = index; step < end; step++) {
            const started = performance.now();
            await checkpoint('step', () => ({ ...output, n: step }));
            checkpoints.push(performance.now() - started);
          }
        }
      })
      .run(undefined);
  } finally {
    await runtime.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return { store: storeName, floor: summarizeWarm(floors, warmup, steps), checkpoint: summarizeWarm(checkpoints, warmup, steps) };
}

async function main() {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
  const window = { steps: flag('steps', 1_000), warmup: flag('warmup', defaultWarmup), block: flag('block', 100) };
  const stores = args.filter((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--'));
  console.log(
    `\nKeel checkpoint p50 beside a 1 KB write+rename p50, timed in alternating blocks of ${window.block}, ` +
      `${window.steps} of each after ${window.warmup}, Node ${process.version}\n`,
  );
  console.log('store     write+rename ms   checkpoint ms   checkpoint / write+rename');
  for (const name of stores.length ? stores : ['lowdb']) {
    const row = await measureCheckpointVsFloor(name, window);
    console.log(
      `${row.store.padEnd(9)} ${row.floor.p50.toFixed(3).padStart(15)} ${row.checkpoint.p50.toFixed(3).padStart(15)} ${(row.checkpoint.p50 / row.floor.p50).toFixed(2).padStart(27)}`,
    );
  }
  console.log(
    `\nrerun: pnpm build && node bench/checkpoint-vs-floor.mjs ${stores.join(' ') || 'lowdb'} --steps ${window.steps} --warmup ${window.warmup} --block ${window.block}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
