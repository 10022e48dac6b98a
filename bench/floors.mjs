// The floors Keel's stores are measured against: the cheapest durable write of the same 1 KB each
// store could make, with nothing of Keel around it.
//
//   node bench/floors.mjs [--steps 1000] [--warmup 3000]
//
// Each floor is timed over `steps` writes after `warmup` unmeasured ones, as everything in `pnpm bench`.
//
// - PostgreSQL: one INSERT of a 1 KB row, autocommitted (one round trip, one WAL flush).
// - SQLite (WAL): one INSERT of a 1 KB row, with synchronous=NORMAL (what Keel runs) and FULL.
// - files: writeFileSync of the 1 KB to a temporary file and renameSync over the document, what one
//   lowdb document write costs at least (Keel's lowdb store does not fsync; neither does this).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { dropSchema, postgresUrl, schemaName } from './lib/postgres.mjs';
import { defaultWarmup, summarizeWarm } from './lib/stats.mjs';

const payload = JSON.stringify({ text: 'x'.repeat(1_000), n: 0 });

async function timed(steps, warmup, write) {
  const timings = [];
  for (let index = 0; index < warmup + steps; index++) {
    const started = performance.now();
    await write(index);
    timings.push(performance.now() - started);
  }
  return summarizeWarm(timings, warmup, steps);
}

export async function postgresInsertFloor(steps, warmup) {
  const schema = schemaName('floor');
  const client = new pg.Client(postgresUrl);
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.rows (id integer PRIMARY KEY, record jsonb NOT NULL)`);
    const insert = { name: 'floor_insert', text: `INSERT INTO ${schema}.rows (id, record) VALUES ($1, $2)` };
    return await timed(steps, warmup, (index) => client.query({ ...insert, values: [index, payload] }));
  } finally {
    await client.end();
    await dropSchema(schema);
  }
}

export async function sqliteInsertFloor(steps, warmup, synchronous) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-floor-'));
  const database = new Database(join(folder, 'floor.db'));
  try {
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${synchronous}`);
    database.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, record TEXT NOT NULL)');
    const insert = database.prepare('INSERT INTO rows (id, record) VALUES (?, ?)');
    return await timed(steps, warmup, (index) => insert.run(index, payload));
  } finally {
    database.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function writeRenameFloor(steps, warmup) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-bench-floor-'));
  const file = join(folder, 'document.json');
  try {
    return await timed(steps, warmup, () => {
      writeFileSync(`${file}.tmp`, payload);
      renameSync(`${file}.tmp`, file);
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Every floor, by the name the table prints. */
export async function measureFloors(steps, warmup) {
  return {
    'postgres INSERT': await postgresInsertFloor(steps, warmup),
    'sqlite INSERT (WAL, NORMAL)': await sqliteInsertFloor(steps, warmup, 'NORMAL'),
    'sqlite INSERT (WAL, FULL)': await sqliteInsertFloor(steps, warmup, 'FULL'),
    'write+rename 1 KB': await writeRenameFloor(steps, warmup),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stepsFlag = process.argv.indexOf('--steps');
  const steps = stepsFlag >= 0 ? Number(process.argv[stepsFlag + 1]) : 1_000;
  const warmupFlag = process.argv.indexOf('--warmup');
  const warmup = warmupFlag >= 0 ? Number(process.argv[warmupFlag + 1]) : defaultWarmup;
  for (const [name, summary] of Object.entries(await measureFloors(steps, warmup))) console.log(`${name.padEnd(28)} p50 ${summary.p50.toFixed(4)} ms`);
}
