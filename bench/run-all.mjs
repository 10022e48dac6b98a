// `pnpm bench`: the whole table in one run, so Keel, the floors and the peers share one machine state
// and the ratios mean something even when absolute times are noisy.
//
//   pnpm build && pnpm bench [--steps 1000] [--warmup 3000] [--long 10000]
//
// --steps, --warmup: every per-step p50 in the first table (Keel's, the floors', the peers') is taken
//   over `steps` steps that follow `warmup` unmeasured ones in the same run (defaults 1,000 and 3,000):
//   a process's first steps run unoptimized code on cold connections (for Keel on PostgreSQL, about
//   2,000 of them: see `defaultWarmup` in lib/stats.mjs), and measuring some systems cold and others
//   warm would compare that, not them.
// --long: checkpoints of Keel's long execution per store (default 10,000); its p50, last-100/first-100
//   and the time to resume it (replaying every checkpoint) are reported.
// --executions: executions per scale-out measurement (default 200): 1, 2 and 4 worker processes on one
//   PostgreSQL, Keel beside DBOS queues (scale-out.mjs).
import { measureKeel } from './checkpoint-overhead.mjs';
import { measureCheckpointVsFloor } from './checkpoint-vs-floor.mjs';
import { measureConversationStorage, printConversationStorage } from './conversation-storage.mjs';
import { measureFloors } from './floors.mjs';
import { measureScaleOut, printScaleOut } from './scale-out.mjs';
import { measureDbos } from './peer-dbos.mjs';
import { measureLangGraph } from './peer-langgraph.mjs';
import { closeDbos } from './lib/dbos.mjs';
import { defaultWarmup, ms, printTable } from './lib/stats.mjs';

const flag = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const steps = flag('steps', 1_000);
const warmup = flag('warmup', defaultWarmup);
const long = flag('long', 10_000);
const executions = flag('executions', 200);

const progress = (message) => process.stderr.write(`… ${message}\n`);

progress(`floors (${warmup} + ${steps} writes each)`);
const floors = await measureFloors(steps, warmup);
const keel = {};
for (const store of ['memory', 'lowdb', 'sqlite', 'postgres']) {
  progress(`Keel on ${store} (${long} checkpoints, then a resume replaying them)`);
  keel[store] = await measureKeel(store, Math.max(long, warmup + steps), { warmup, steps });
}
progress(`Keel on lowdb beside write+rename, in alternating blocks (${warmup} + ${steps} of each)`);
const lowdbBesideFloor = await measureCheckpointVsFloor('lowdb', { steps, warmup });
progress(`DBOS Transact (${warmup} + ${steps} steps)`);
const dbos = await measureDbos(steps, warmup);
progress(`LangGraph (${warmup} + ${steps} super-steps per checkpointer)`);
const langgraph = { sqlite: await measureLangGraph('sqlite', steps, warmup), postgres: await measureLangGraph('postgres', steps, warmup) };
progress('conversation storage');
const conversation = await measureConversationStorage();
const scaleOut = await measureScaleOut({ executions, progress });
await closeDbos();

const ratio = (value) => `${value.toFixed(2)}×`;
console.log(`\nKeel bench — 1 KB output per durable step, Node ${process.version}, ${new Date().toISOString()}\n`);
console.log(`Per durable step (p50 of ${steps} steps after ${warmup} unmeasured ones, ms), Keel beside the floor and the peers measured in this run:\n`);
printTable(
  ['store', 'Keel p50', 'floor p50', 'Keel/floor', 'peer', 'peer p50', 'peer/Keel'],
  [
    [
      'postgres',
      ms(keel.postgres.warm.p50),
      ms(floors['postgres INSERT'].p50),
      ratio(keel.postgres.warm.p50 / floors['postgres INSERT'].p50),
      'DBOS Transact',
      ms(dbos.p50),
      ratio(dbos.p50 / keel.postgres.warm.p50),
    ],
    ['', '', '', '', 'LangGraph PostgresSaver', ms(langgraph.postgres.p50), ratio(langgraph.postgres.p50 / keel.postgres.warm.p50)],
    [
      'sqlite',
      ms(keel.sqlite.warm.p50),
      ms(floors['sqlite INSERT (WAL, NORMAL)'].p50),
      ratio(keel.sqlite.warm.p50 / floors['sqlite INSERT (WAL, NORMAL)'].p50),
      'LangGraph SqliteSaver',
      ms(langgraph.sqlite.p50),
      ratio(langgraph.sqlite.p50 / keel.sqlite.warm.p50),
    ],
    ['', '', `FULL ${ms(floors['sqlite INSERT (WAL, FULL)'].p50)}`, '', '', '', ''],
    ['lowdb', ms(keel.lowdb.warm.p50), ms(floors['write+rename 1 KB'].p50), ratio(keel.lowdb.warm.p50 / floors['write+rename 1 KB'].p50), '', '', ''],
    [
      '  blocks',
      ms(lowdbBesideFloor.checkpoint.p50),
      ms(lowdbBesideFloor.floor.p50),
      ratio(lowdbBesideFloor.checkpoint.p50 / lowdbBesideFloor.floor.p50),
      '',
      '',
      '',
    ],
    ['memory', ms(keel.memory.warm.p50), '', '', '', '', ''],
  ],
);
console.log(`\nA long execution (${long} checkpoints): does a checkpoint get slower as history grows, and resuming it:\n`);
printTable(
  ['store', 'first100 p50 ms', 'last100 p50 ms', 'last/first', 'p99 ms', 'resume (replay all) ms'],
  Object.values(keel).map((row) => [row.store, ms(row.first100), ms(row.last100), row.growth.toFixed(2), ms(row.p99), row.resumeMs.toFixed(1)]),
);
console.log();
printConversationStorage(conversation);
console.log();
printScaleOut(scaleOut);
console.log(
  '\nlowdb blocks: Keel and the write+rename timed in alternating blocks of 100 in one loop (checkpoint-vs-floor.mjs), which the disk slows alike;' +
    ` the row above times each alone, minutes apart.\nfloors: floors.mjs; peers: peer-dbos.mjs, peer-langgraph.mjs; scale-out: scale-out.mjs; rerun: pnpm build && pnpm bench --steps ${steps} --warmup ${warmup} --long ${long} --executions ${executions}`,
);
