// DBOS Transact for the benches, without its cloud parts: only its system database, a throwaway
// database on the bench server. DBOS is a process-wide singleton whose workflows are registered before
// it launches, so every bench workflow is registered here and DBOS launches once per process.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DBOS } from '@dbos-inc/dbos-sdk';
import pg from 'pg';
import { stepMessages } from '../conversation-messages.mjs';
import { databaseUrl, dropDatabase } from './postgres.mjs';

const database = `keel_bench_dbos_${process.pid}`;

/** Per-step timings of the running `steps` workflow (one runs at a time). */
let timings = [];

const stepsWorkflow = DBOS.registerWorkflow(
  async (count, output) => {
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      await DBOS.runStep(async () => ({ ...output, n: index }), { name: 'step' });
      timings.push(performance.now() - started);
    }
    return count;
  },
  { name: 'bench-steps' },
);

/** A tool loop: `stepMessages(index)` gives each step's assistant call and tool result. */
const toolLoopWorkflow = DBOS.registerWorkflow(
  async (count, first, tools) => {
    const messages = [first];
    for (let index = 0; index < count; index++) {
      // The request is what the model step is given; DBOS records what a step returns, not its input.
      const request = { model: 'bench-model', tools, messages: [...messages] };
      const call = await DBOS.runStep(async () => stepMessages(index, request).call, { name: 'model' });
      const result = await DBOS.runStep(async () => stepMessages(index).result, { name: 'search' });
      messages.push(call, result);
    }
    return messages.length;
  },
  { name: 'bench-tool-loop' },
);

let launched;

function launch() {
  launched ??= (async () => {
    DBOS.setConfig({ name: 'keel-bench', systemDatabaseUrl: databaseUrl(database), logLevel: 'error' });
    await DBOS.launch();
  })();
  return launched;
}

/** Runs `count` DBOS steps each returning `output`; the time of each step. */
export async function dbosStepTimings(count, output) {
  await launch();
  timings = [];
  await (await DBOS.startWorkflow(stepsWorkflow)(count, output)).getResult();
  return timings;
}

/** Runs the tool loop as a DBOS workflow; the bytes DBOS stored for it (step outputs, workflow input and output). */
export async function dbosToolLoopBytes(count, first, tools) {
  await launch();
  const workflowID = randomUUID();
  await (await DBOS.startWorkflow(toolLoopWorkflow, { workflowID })(count, first, tools)).getResult();
  const client = new pg.Client(databaseUrl(database));
  await client.connect();
  try {
    const result = await client.query(
      `SELECT (SELECT coalesce(sum(octet_length(output)), 0) FROM dbos.operation_outputs WHERE workflow_uuid = $1)
            + (SELECT coalesce(sum(octet_length(coalesce(inputs, '')) + octet_length(coalesce(output, ''))), 0)
               FROM dbos.workflow_status WHERE workflow_uuid = $1) AS bytes`,
      [workflowID],
    );
    return Number(result.rows[0].bytes);
  } finally {
    await client.end();
  }
}

/** Shuts DBOS down and drops its database (nothing to do when it never launched). */
export async function closeDbos() {
  if (!launched) return;
  await launched;
  await DBOS.shutdown();
  await dropDatabase(database);
}
