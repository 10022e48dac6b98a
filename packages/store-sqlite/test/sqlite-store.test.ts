import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KeelError, type Store } from '@keel/core';
import { runStoreConformance } from '@keel/core/testing';
import { sqliteSchemaVersion, sqliteStore, StoreSchemaOutdatedError, StoreSchemaTooNewError } from '@keel/store-sqlite';
import { crashAfterCalls, effectRuns, jsonLine, startChild } from '@keel/testkit';
import { openSqliteDatabase } from '../dist/sqlite-driver.js';

/** Opens the file with the driver the store uses on this Node (better-sqlite3 12 aborts at exit on Node 24). */
function openFile(file: string) {
  return openSqliteDatabase(file, 5_000);
}

const folders: string[] = [];
const stores: Store[] = [];

/** A path for a new database file in a fresh temporary folder. */
function newFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'keel-sqlite-'));
  folders.push(folder);
  return join(folder, 'keel.db');
}

function open(file: string, options?: Parameters<typeof sqliteStore>[1]): Store {
  const store = sqliteStore(file, options);
  stores.push(store);
  return store;
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

const execution = (id: string) =>
  ({ id, flow: 'example', status: 'queued', input: { hash: 'sha256:00', size: 4 }, lease: null, sessions: 0, createdAt: 1_000 }) as const;

afterAll(async () => {
  for (const store of stores) await store.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

runStoreConformance({
  createStore: () => sqliteStore(newFile()),
  // The suite's child processes open the same file through the built package.
  shared: (store) => ({ module: fileURLToPath(new URL('../dist/index.js', import.meta.url)), exportName: 'sqliteStore', argument: store.location }),
});

describe('the SQLite file', () => {
  it('is in WAL mode, so readers and the writer of several processes do not block each other', async () => {
    const file = newFile();
    await open(file).getExecution('ex_none');
    const other = openFile(file);
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
    }
  });

  it('records the schema version it migrated to, and by which package', async () => {
    const file = newFile();
    await open(file).createExecution(execution('ex_1'));
    const other = openFile(file);
    try {
      const rows = other.prepare('SELECT version, applied_by FROM keel_schema ORDER BY version').all() as { version: number; applied_by: string }[];
      expect(rows.map((row) => row.version)).toEqual(Array.from({ length: sqliteSchemaVersion }, (_, index) => index + 1));
      expect(rows.at(-1)?.applied_by).toMatch(/^@keel\/store-sqlite \d+\.\d+\.\d+/);
    } finally {
      other.close();
    }
  });

  it('refuses a file migrated by a newer Keel, naming the file, both versions and what to do, and leaves it alone', async () => {
    const file = newFile();
    const first = open(file);
    await first.createExecution(execution('ex_1'));
    await first.close();
    const writer = openFile(file);
    writer
      .prepare('INSERT INTO keel_schema (version, applied_at, applied_by) VALUES (?, ?, ?)')
      .run(sqliteSchemaVersion + 7, Date.now(), '@keel/store-sqlite 99.0.0');
    writer.close();

    const error = await open(file)
      .getExecution('ex_1')
      .catch((caught: unknown) => caught);
    expect(StoreSchemaTooNewError.isInstance(error)).toBe(true);
    expect(KeelError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(`schema version ${sqliteSchemaVersion + 7}`);
    expect(message).toContain(`up to ${sqliteSchemaVersion}`);
    expect(message).toMatch(/Upgrade @keel\/store-sqlite/);
    expect(error).toMatchObject({ location: file, version: sqliteSchemaVersion + 7, supportedVersion: sqliteSchemaVersion });

    const reader = openFile(file);
    try {
      expect(reader.prepare('SELECT id FROM keel_executions').all()).toEqual([{ id: 'ex_1' }]);
      expect(reader.prepare('SELECT MAX(version) AS version FROM keel_schema').get()).toEqual({ version: sqliteSchemaVersion + 7 });
    } finally {
      reader.close();
    }
  });

  it('migrates a version 2 file: keeps its checkpoints, in seq order, without the seq index', async () => {
    const file = newFile();
    const first = open(file);
    await first.createExecution(execution('ex_1'));
    // Ids that sort differently from seq: the listing must follow seq, not the primary key.
    for (const [seq, id] of ['b', 'a', 'c'].entries()) {
      await first.putCheckpoint({
        executionId: 'ex_1',
        id,
        parentId: null,
        name: 'step',
        kind: 'step',
        status: 'completed',
        seq,
        attempts: 1,
        delivery: 'at-least-once',
        durable: true,
        startedAt: 1,
      });
    }
    await first.close();
    // Put the file back to version 2, as an older Keel left it.
    const writer = openFile(file);
    try {
      // The version 2 checkpoint table: WITHOUT ROWID, with a seq index.
      writer.exec(`CREATE TABLE keel_checkpoints_v2 (
        execution_id TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, parent_id TEXT, name TEXT NOT NULL,
        kind TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (execution_id, id)
      ) WITHOUT ROWID`);
      writer.exec('INSERT INTO keel_checkpoints_v2 SELECT execution_id, id, seq, parent_id, name, kind, status, record FROM keel_checkpoints');
      writer.exec('DROP TABLE keel_checkpoints');
      writer.exec('ALTER TABLE keel_checkpoints_v2 RENAME TO keel_checkpoints');
      writer.exec('CREATE INDEX keel_checkpoints_by_seq ON keel_checkpoints (execution_id, seq)');
      writer.exec('DELETE FROM keel_schema WHERE version > 2');
    } finally {
      writer.close();
    }
    const migrated = open(file);
    const listed = await migrated.listCheckpoints('ex_1');
    expect(listed.map((record) => record.id)).toEqual(['b', 'a', 'c']);
    expect(await migrated.getCheckpoint('ex_1', 'a')).toMatchObject({ id: 'a', seq: 1, status: 'completed' });
    // Still one row per (execution, id): an upsert replaces it.
    await migrated.putCheckpoint({ ...listed[1]!, status: 'failed' });
    expect((await migrated.listCheckpoints('ex_1')).map((record) => `${record.id}:${record.status}`)).toEqual(['b:completed', 'a:failed', 'c:completed']);
    const reader = openFile(file);
    try {
      expect(reader.prepare("SELECT name FROM sqlite_master WHERE name = 'keel_checkpoints_by_seq'").all()).toEqual([]);
      expect(reader.prepare('SELECT MAX(version) AS version FROM keel_schema').get()).toEqual({ version: sqliteSchemaVersion });
    } finally {
      reader.close();
    }
  });

  it('with migrate: false, does not create a schema in a new file and says how to', async () => {
    const file = newFile();
    const error = await open(file, { migrate: false })
      .listExecutions()
      .catch((caught: unknown) => caught);
    expect(StoreSchemaOutdatedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('migrate: false');
    const reader = openFile(file);
    try {
      expect(reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([]);
    } finally {
      reader.close();
    }
  });

  it('is created once when several processes open a new file at the same moment', async () => {
    const file = newFile();
    const ids = Array.from({ length: 4 }, (_, index) => `ex_first_open_${index}`);
    const children = ids.map((id) => startChild(fixture('open-and-create.mjs'), [file, id]));
    const exits = await Promise.all(children.map((child) => child.exited));
    for (const exit of exits) expect(exit.code, exit.stderr).toBe(0);
    const listed = await open(file).listExecutions();
    expect(listed.map((record) => record.id).sort()).toEqual(ids);
    const reader = openFile(file);
    try {
      expect(reader.prepare('SELECT COUNT(*) AS count FROM keel_schema').get()).toEqual({ count: sqliteSchemaVersion });
    } finally {
      reader.close();
    }
  });
});

describe('payloads and indexes', () => {
  it('stores a blob once however often it is put, and records refer to it by hash', async () => {
    const file = newFile();
    const store = open(file);
    const content = JSON.stringify({ text: 'x'.repeat(10_000) });
    for (let index = 0; index < 3; index++) await store.putBlob('sha256:big', content);
    await store.putCheckpoint({
      executionId: 'ex_1',
      id: 'call:1',
      parentId: null,
      name: 'call',
      kind: 'step',
      status: 'completed',
      seq: 0,
      output: { hash: 'sha256:big', size: content.length },
      attempts: 1,
      delivery: 'at-least-once',
      durable: true,
      startedAt: 1,
    });
    expect(await store.getBlob('sha256:big')).toBe(content);
    const reader = openFile(file);
    try {
      expect(reader.prepare('SELECT COUNT(*) AS count, MAX(size) AS size FROM keel_blobs').get()).toEqual({ count: 1, size: content.length });
      const row = reader.prepare('SELECT length(record) AS length FROM keel_checkpoints').get() as { length: number };
      expect(row.length).toBeLessThan(1_000);
    } finally {
      reader.close();
    }
  });

  it("answers the runner's frequent queries from indexes, not table scans", async () => {
    const file = newFile();
    await open(file).getExecution('ex_none');
    const reader = openFile(file);
    const plan = (sql: string, ...values: unknown[]) =>
      (reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]).map((row) => row.detail).join('; ');
    try {
      expect(plan('SELECT record FROM keel_checkpoints WHERE execution_id = ? ORDER BY seq, id', 'ex_1')).toMatch(
        /SEARCH keel_checkpoints USING INDEX sqlite_autoindex_keel_checkpoints_1 \(execution_id=\?\)/,
      );
      expect(plan("SELECT record FROM keel_executions WHERE status IN ('queued', 'running') ORDER BY id DESC LIMIT 10")).toMatch(
        /INDEX keel_executions_by_status/,
      );
      expect(plan("SELECT record FROM keel_executions WHERE flow = 'x' AND id < 'ex_9' ORDER BY id DESC LIMIT 10")).toMatch(/INDEX keel_executions_by_flow/);
      expect(plan('SELECT record FROM keel_executions WHERE id < ? ORDER BY id DESC LIMIT 10', 'ex_9')).not.toMatch(/SCAN keel_executions$/);
      expect(plan('SELECT record FROM keel_logs WHERE execution_id = ? ORDER BY position LIMIT 10 OFFSET 5', 'ex_1')).toMatch(/INDEX keel_logs_by_execution/);
    } finally {
      reader.close();
    }
  });
});

describe('a flow on SQLite killed with SIGKILL', () => {
  it('resumes in a new process and re-runs only the checkpoint that was in flight', async () => {
    const file = newFile();
    const effects = join(file, '..', 'effects.log');
    const { killed, resumed } = await crashAfterCalls({
      start: () => startChild(fixture('five-checkpoints.mjs'), [file, effects, 'run']),
      killAt: { lines: /^done 2$/ },
      resume: () => startChild(fixture('five-checkpoints.mjs'), [file, effects, 'recover']),
    });
    expect(killed.signal).toBe('SIGKILL');
    const { code, stdout, stderr } = resumed;
    expect(code, stderr).toBe(0);
    expect(jsonLine(stdout, 'result')).toEqual({ recovered: 1, status: 'completed', output: 1 + 4 + 9 + 16 + 25 });
    const count = (step: number) => effectRuns(readFileSync(effects, 'utf8'), step);
    // Checkpoints 1 and 2 were stored: not run again. 3 may have started before the kill: run again.
    expect([count(1), count(2), count(4), count(5)]).toEqual([1, 1, 1, 1]);
    expect(count(3)).toBeGreaterThanOrEqual(1);
    expect(count(3)).toBeLessThanOrEqual(2);
  });
});
