// What one checkpoint costs PostgreSQL: round trips, rows, bytes stored and WAL written, for the
// store-postgres README's "What limits one PostgreSQL".
//
//   pnpm build && node bench/postgres-write-cost.mjs [--steps 1000] [--concurrency 1,4,16]
//
// Runs a flow of `steps` checkpoints, each returning a 1 KB object, on a fresh schema (dropped
// afterwards); counts the queries the store sends per checkpoint; sizes the rows; and measures the WAL
// of one session write with EXPLAIN (ANALYZE, WAL) in a transaction that is rolled back. The WAL
// figure excludes the commit record (about 30 bytes) and full-page images after a checkpoint. Then,
// for each concurrency, that many sessions (one execution each, fenced) write checkpoints for 3 s
// through one store: the checkpoints per second one server takes, commits grouped by PostgreSQL.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { checkpoint, createRuntime } from '@keel/core';
import { postgresStore } from '@keel/store-postgres';
import { dropSchema, postgresUrl, schemaName } from './lib/postgres.mjs';
import { ms, summarize } from './lib/stats.mjs';

const stepsFlag = process.argv.indexOf('--steps');
const steps = stepsFlag >= 0 ? Number(process.argv[stepsFlag + 1]) : 1_000;
const concurrencyFlag = process.argv.indexOf('--concurrency');
const concurrencies = (concurrencyFlag >= 0 ? process.argv[concurrencyFlag + 1] : '1,4,16').split(',').map(Number);
const schema = schemaName('write_cost');
const output = { text: 'x'.repeat(1_000), n: 0 };

const pool = new pg.Pool({ connectionString: postgresUrl, max: Math.max(10, ...concurrencies) });
const sent = [];
const query = pool.query.bind(pool);
pool.query = (config, ...rest) => {
  sent.push(config);
  return query(config, ...rest);
};
const store = postgresStore(pool, { schema });
const runtime = createRuntime({ store });
const timings = [];
let wal;
const explainer = new pg.Client(postgresUrl);
await explainer.connect();
let before = 0;
const flow = runtime.flow('write-cost', async () => {
  for (let index = 0; index < steps; index++) {
    if (index === 0) before = sent.length;
    const started = performance.now();
    await checkpoint('step', () => ({ ...output, n: index }));
    timings.push(performance.now() - started);
  }
  // While the lease is held: a write after the run would be refused by its fence and write nothing.
  wal = await explainWrite(explainer);
  return steps;
});
try {
  await flow.run(undefined);
  const during = sent.slice(before, before + steps);
  const names = {};
  for (const config of during) names[config.name] = (names[config.name] ?? 0) + 1;

  const client = new pg.Client(postgresUrl);
  await client.connect();
  const rows = await client.query(
    `SELECT (SELECT avg(pg_column_size(c.*))::int FROM "${schema}".checkpoints c) AS checkpoint_row,
            (SELECT avg(pg_column_size(b.*))::int FROM "${schema}".blobs b) AS blob_row,
            (SELECT count(*)::int FROM "${schema}".checkpoints) AS checkpoints,
            (SELECT count(*)::int FROM "${schema}".blobs) AS blobs,
            pg_total_relation_size('"${schema}".checkpoints') AS checkpoints_bytes,
            pg_total_relation_size('"${schema}".blobs') AS blobs_bytes`,
  );
  const settings = await client.query("SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'synchronous_commit', 'wal_level')");
  await client.end();

  const summary = summarize(timings);
  const r = rows.rows[0];
  console.log(`\nOne checkpoint on PostgreSQL (1 KB output, ${steps} checkpoints, Node ${process.version})\n`);
  // get_execution: the lease heartbeat reads the execution before renewing it, in the background.
  console.log(
    `queries per checkpoint      ${(during.length / steps).toFixed(2)}  (${Object.entries(names)
      .map(([name, count]) => `${name.replace(/^keel_[0-9a-f]+_/, '')} ×${count}`)
      .join(', ')})`,
  );
  console.log(`p50 / p99 per checkpoint    ${ms(summary.p50)} / ${ms(summary.p99)} ms`);
  console.log(`rows per checkpoint         ${(r.checkpoints / steps).toFixed(2)} checkpoint + ${(r.blobs / steps).toFixed(2)} blob`);
  console.log(`row size                    checkpoint ${r.checkpoint_row} B, blob ${r.blob_row} B`);
  console.log(
    `stored per checkpoint       ${Math.round(Number(r.checkpoints_bytes) / r.checkpoints)} B checkpoints table + indexes, ${Math.round(Number(r.blobs_bytes) / Math.max(1, r.blobs))} B blobs table + index`,
  );
  console.log(`WAL of one session write    ${wal.records} records, ${wal.bytes} B (${wal.fpi} full-page images), plus the commit`);
  console.log(`server                      ${settings.rows.map((row) => `${row.name}=${row.setting}`).join(', ')}`);
  for (const concurrency of concurrencies) {
    const perSecond = await throughput(concurrency);
    console.log(
      `${`${concurrency} sessions at once`.padEnd(28)}${Math.round(perSecond)} checkpoints/s (${((concurrency / perSecond) * 1_000).toFixed(3)} ms each)`,
    );
  }
  console.log(`\nrerun: pnpm build && node bench/postgres-write-cost.mjs --steps ${steps}`);
} finally {
  await runtime.close();
  await pool.end();
  await explainer.end();
  await dropSchema(schema);
}

/** Checkpoints per second that `concurrency` sessions, each fenced on its own execution, write for 3 s. */
async function throughput(concurrency) {
  const content = JSON.stringify(output);
  const sessions = [];
  for (let index = 0; index < concurrency; index++) {
    const id = `ex_throughput_${concurrency}_${index}`;
    const lease = { owner: `worker-${index}`, host: 'bench', pid: index, expiresAt: Date.now() + 600_000 };
    await store.createExecution({
      id,
      flow: 'throughput',
      status: 'running',
      input: { hash: 'sha256:00', size: 4 },
      lease,
      sessions: 1,
      createdAt: Date.now(),
    });
    sessions.push({ id, fence: { owner: lease.owner, session: 1 } });
  }
  let written = 0;
  const until = performance.now() + 3_000;
  await Promise.all(
    sessions.map(async ({ id, fence }) => {
      for (let n = 0; performance.now() < until; n++) {
        const hash = `sha256:${id}:${n}`;
        const record = {
          executionId: id,
          id: `step:${n + 1}`,
          parentId: null,
          name: 'step',
          kind: 'step',
          status: 'completed',
          seq: n,
          attempts: 1,
          delivery: 'at-least-once',
          durable: true,
          startedAt: 1,
          endedAt: 2,
          output: { hash, size: content.length },
        };
        await store.writeCheckpoints({ blobs: [{ hash, content: content + n }], checkpoints: [record] }, fence);
        written++;
      }
    }),
  );
  return written / 3;
}

/** The WAL of one more session write, as the store sends it, with a new id and hash so it inserts. */
async function explainWrite(client) {
  const write = sent.filter((config) => config.name?.endsWith('write_checkpoints_single_fenced')).at(-1);
  const values = [...write.values];
  values[0] = `${values[0]}-explained`;
  values[4] = `${values[4]}-explained`;
  await client.query('BEGIN');
  const plan = await client.query({ text: `EXPLAIN (ANALYZE, WAL, FORMAT JSON) ${write.text}`, values });
  await client.query('ROLLBACK');
  const top = plan.rows[0]['QUERY PLAN'][0];
  const wal = { records: 0, bytes: 0, fpi: 0 };
  // The WAL is written by the nodes that change rows (ModifyTable: the inserts) and lock them
  // (LockRows: FOR SHARE); their counters include their children's, so only those are summed.
  const walk = (node) => {
    if (node['Node Type'] === 'ModifyTable' || node['Node Type'] === 'LockRows') {
      wal.records += node['WAL Records'] ?? 0;
      wal.bytes += node['WAL Bytes'] ?? 0;
      wal.fpi += node['WAL FPI'] ?? 0;
      return;
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(top.Plan);
  return wal;
}
