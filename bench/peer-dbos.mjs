// DBOS Transact on the same PostgreSQL server: the time per durable step of a workflow whose steps
// do no work and return the same 1 KB object as Keel's bench (see lib/dbos.mjs for how DBOS runs).
//
//   node bench/peer-dbos.mjs [--steps 1000] [--warmup 3000]
import { pathToFileURL } from 'node:url';
import { closeDbos, dbosStepTimings } from './lib/dbos.mjs';
import { defaultWarmup, summarizeWarm } from './lib/stats.mjs';

const output = { text: 'x'.repeat(1_000), n: 0 };

/** The p50 and p99 of `steps` DBOS steps after `warmup` unmeasured ones of the same workflow. */
export async function measureDbos(steps, warmup) {
  return summarizeWarm(await dbosStepTimings(warmup + steps, output), warmup, steps);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stepsFlag = process.argv.indexOf('--steps');
  const warmupFlag = process.argv.indexOf('--warmup');
  const summary = await measureDbos(
    stepsFlag >= 0 ? Number(process.argv[stepsFlag + 1]) : 1_000,
    warmupFlag >= 0 ? Number(process.argv[warmupFlag + 1]) : defaultWarmup,
  );
  await closeDbos();
  console.log(`DBOS step p50 ${summary.p50.toFixed(3)} ms, p99 ${summary.p99.toFixed(3)} ms`);
}
