// Executions per second when 1, 2 and 4 worker processes share one PostgreSQL, for Keel (`keel worker`)
// and DBOS Transact (processes dequeuing one DBOS queue), the same flow on the same server in one run:
// four durable steps of 5 ms each (an execution is 20 ms of its own work), 1 KB-ish outputs.
//
//   pnpm build && node bench/scale-out.mjs [--executions 200] [--workers 1,2,4] [--concurrency 1,4]
//
// Each measurement: a fresh database; the worker processes start and say they are ready; the bench
// queues every execution, waits for all to complete, and takes the throughput from the store's own
// timestamps (first step started → last execution ended), so process start-up is not counted.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DBOSClient } from '@dbos-inc/dbos-sdk';
import { createRuntime } from '@keel/core';
import { postgresStore } from '@keel/store-postgres';
import { databaseUrl, dropDatabase, execute } from './lib/postgres.mjs';
import { printTable } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const project = join(here, 'scale-out');
const keelBin = join(dirname(createRequire(import.meta.url).resolve('@keel/cli/package.json')), 'dist', 'bin.js');
const workMs = 5;

const list = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1].split(',').map(Number) : fallback;
};

/** Starts a process and resolves once a line of its output passes `isReady`. */
function startProcess(command, args, options, isReady) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ready = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => isReady(line) && resolve(child));
    child.on('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code} before it was ready:\n${stderr}`)));
  });
  return ready;
}

async function stopAll(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGKILL');
        }),
    ),
  );
}

async function until(check) {
  for (;;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function enqueueAll(count, enqueue) {
  for (let index = 0; index < count; index += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - index) }, enqueue));
  }
}

async function measureKeel(workers, concurrency, executions) {
  const database = `keel_bench_scale_${process.pid}`;
  await dropDatabase(database);
  await execute(`CREATE DATABASE ${database}`, databaseUrl('postgres'));
  const url = databaseUrl(database);
  const store = postgresStore(url);
  await store.listExecutions({ limit: 1 }); // creates the schema before the workers race to
  const children = [];
  try {
    const environment = { ...process.env, KEEL_STORE: url, NO_COLOR: '1' };
    for (let index = 0; index < workers; index++) {
      children.push(
        await startProcess(process.execPath, [keelBin, 'worker', '--json', '--concurrency', String(concurrency)], { cwd: project, env: environment }, (line) =>
          line.includes('"event":"listening"'),
        ),
      );
    }
    const runtime = createRuntime({ store });
    runtime.flow('steps', async () => {}, { version: 'bench-v1' });
    await enqueueAll(executions, () => runtime.start('steps', { workMs }));
    const count = async () => Number((await execute(`SELECT count(*) AS n FROM keel.executions WHERE status = 'completed'`, url)).rows[0].n);
    await until(async () => (await count()) === executions);
    const window = await execute(
      `SELECT (SELECT min((record->>'startedAt')::bigint) FROM keel.checkpoints) AS first,
              (SELECT max((record->>'endedAt')::bigint) FROM keel.executions) AS last`,
      url,
    );
    return executions / ((Number(window.rows[0].last) - Number(window.rows[0].first)) / 1000);
  } finally {
    await stopAll(children);
    await store.close();
    await dropDatabase(database);
  }
}

async function measureDbos(workers, concurrency, executions) {
  const database = `keel_bench_scale_dbos_${process.pid}`;
  await dropDatabase(database);
  const url = databaseUrl(database);
  const children = [];
  let client;
  try {
    const start = () =>
      startProcess(process.execPath, [join(project, 'dbos-worker.mjs'), url, String(concurrency)], { cwd: here, env: process.env }, (line) => line === 'ready');
    children.push(await start()); // the first launch creates the system database
    for (let index = 1; index < workers; index++) children.push(await start());
    client = await DBOSClient.create({ systemDatabaseUrl: url });
    await enqueueAll(executions, () => client.enqueue({ queueName: 'bench-scale', workflowName: 'bench-scale-steps' }, workMs));
    const count = async () => Number((await execute(`SELECT count(*) AS n FROM dbos.workflow_status WHERE status = 'SUCCESS'`, url)).rows[0].n);
    await until(async () => (await count()) === executions);
    const window = await execute(`SELECT min(started_at_epoch_ms) AS first, max(updated_at) AS last FROM dbos.workflow_status WHERE status = 'SUCCESS'`, url);
    return executions / ((Number(window.rows[0].last) - Number(window.rows[0].first)) / 1000);
  } finally {
    await client?.destroy();
    await stopAll(children);
    await dropDatabase(database);
  }
}

/** Executions per second for every worker count and concurrency, Keel and DBOS side by side. */
export async function measureScaleOut({ executions = 200, workerCounts = [1, 2, 4], concurrencies = [1, 4], progress = () => {} } = {}) {
  const rows = [];
  for (const concurrency of concurrencies) {
    for (const workers of workerCounts) {
      progress(`scale-out: ${workers} worker(s) × concurrency ${concurrency}, ${executions} executions`);
      rows.push({ workers, concurrency, keel: await measureKeel(workers, concurrency, executions), dbos: await measureDbos(workers, concurrency, executions) });
    }
  }
  return rows;
}

export function printScaleOut(rows) {
  const perSecond = (value) => value.toFixed(1);
  const speedup = (row, system) => {
    const single = rows.find((other) => other.concurrency === row.concurrency && other.workers === 1);
    return single ? `${(row[system] / single[system]).toFixed(2)}×` : '';
  };
  console.log(`Executions per second, ${workMs * 4} ms of work in four durable steps, worker processes sharing one PostgreSQL:\n`);
  printTable(
    ['workers', 'concurrency', 'Keel exec/s', 'Keel vs 1', 'DBOS exec/s', 'DBOS vs 1', 'Keel/DBOS'],
    rows.map((row) => [
      String(row.workers),
      String(row.concurrency),
      perSecond(row.keel),
      speedup(row, 'keel'),
      perSecond(row.dbos),
      speedup(row, 'dbos'),
      `${(row.keel / row.dbos).toFixed(2)}×`,
    ]),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await measureScaleOut({
    executions: list('executions', [200])[0],
    workerCounts: list('workers', [1, 2, 4]),
    concurrencies: list('concurrency', [1, 4]),
    progress: (message) => process.stderr.write(`… ${message}\n`),
  });
  printScaleOut(rows);
  console.log('\nRerun: pnpm build && node bench/scale-out.mjs [--executions 200] [--workers 1,2,4] [--concurrency 1,4]');
}
