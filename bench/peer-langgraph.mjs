// LangGraph with its SQLite and PostgreSQL checkpointers: the time per super-step of a graph whose one
// node does no work and returns the same 1 KB object as Keel's bench, looping back to itself. Each
// super-step checkpoints the graph's state, which is LangGraph's durable step.
//
//   node bench/peer-langgraph.mjs [--steps 1000] [--warmup 3000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { dropSchema, postgresUrl, schemaName } from './lib/postgres.mjs';
import { defaultWarmup, summarizeWarm } from './lib/stats.mjs';

const text = 'x'.repeat(1_000);

/** Opens a checkpointer of `kind`; `close` releases and deletes what it stored. */
export async function openSaver(kind) {
  if (kind === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'keel-bench-langgraph-'));
    const saver = SqliteSaver.fromConnString(join(folder, 'checkpoints.db'));
    return { saver, close: async () => (saver.db.close(), rmSync(folder, { recursive: true, force: true })) };
  }
  const schema = schemaName('langgraph');
  const saver = PostgresSaver.fromConnString(postgresUrl, { schema });
  await saver.setup();
  return { saver, schema, close: async () => (await saver.end(), await dropSchema(schema)) };
}

/** The p50 and p99 of `steps` super-steps after `warmup` unmeasured ones of the same run. */
export async function measureLangGraph(kind, steps, warmup) {
  const total = warmup + steps;
  const { saver, close } = await openSaver(kind);
  const started = [];
  const State = Annotation.Root({ n: Annotation(), output: Annotation() });
  const graph = new StateGraph(State)
    .addNode('step', (state) => {
      started.push(performance.now());
      return { n: state.n + 1, output: { text, n: state.n } };
    })
    .addEdge(START, 'step')
    .addConditionalEdges('step', (state) => (state.n >= total ? END : 'step'))
    .compile({ checkpointer: saver });
  try {
    await graph.invoke({ n: 0 }, { configurable: { thread_id: 'bench' }, recursionLimit: total + 10 });
  } finally {
    await close();
  }
  // The time between one step starting and the next is one super-step: LangGraph's bookkeeping and
  // the checkpoint it writes.
  return summarizeWarm(
    started.slice(1).map((time, index) => time - started[index]),
    warmup,
    steps,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stepsFlag = process.argv.indexOf('--steps');
  const steps = stepsFlag >= 0 ? Number(process.argv[stepsFlag + 1]) : 1_000;
  const warmupFlag = process.argv.indexOf('--warmup');
  const warmup = warmupFlag >= 0 ? Number(process.argv[warmupFlag + 1]) : defaultWarmup;
  for (const kind of ['sqlite', 'postgres']) {
    const summary = await measureLangGraph(kind, steps, warmup);
    console.log(`LangGraph ${kind} super-step p50 ${summary.p50.toFixed(3)} ms, last/first ${summary.growth.toFixed(2)}`);
  }
}
