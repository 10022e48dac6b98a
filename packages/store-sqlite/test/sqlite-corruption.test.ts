import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobMissingError, checkpoint, createRuntime, type Store } from '@keel/core';
import { sqliteStore } from '@keel/store-sqlite';
import { openSqliteDatabase, type SqliteDatabase } from '../dist/sqlite-driver.js';

const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A store on a fresh file, and a second connection to edit its rows behind its back. */
async function withStore(body: (store: Store, database: SqliteDatabase, file: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'keel-sqlite-corruption-'));
  folders.push(folder);
  const file = join(folder, 'keel.db');
  const store = sqliteStore(file);
  await store.listExecutions(); // creates the schema
  const database = openSqliteDatabase(file, 5_000);
  try {
    await body(store, database, file);
  } finally {
    database.close();
    await store.close();
  }
}

const execution = (id: string) =>
  ({ id, flow: 'example', status: 'queued', input: { hash: 'sha256:00', size: 4 }, lease: null, sessions: 0, createdAt: 1_000 }) as const;

const checkpointRecord = (executionId: string, seq: number) =>
  ({
    executionId,
    id: `step:${seq + 1}`,
    parentId: null,
    name: 'step',
    kind: 'step',
    status: 'completed',
    seq,
    attempts: 1,
    delivery: 'at-least-once',
    durable: true,
    session: 1,
    startedAt: 1_000,
  }) as const;

describe('a garbled row fails with StoreCorruptedError naming it, and is left as it was', () => {
  const garbles = {
    'invalid JSON': '{"id":"ex-0001","flow":',
    'an empty record': '',
    'a wrong shape': '{"not":"what the store wrote"}',
    "another row's record": JSON.stringify({ ...execution('ex-0002'), version: 1, updatedAt: 1_000 }),
  };

  for (const [kind, garbled] of Object.entries(garbles)) {
    it(`an execution row with ${kind}`, async () => {
      await withStore(async (store, database, file) => {
        await store.createExecution(execution('ex-0001'));
        await store.createExecution(execution('ex-0002'));
        database.prepare('UPDATE keel_executions SET record = ? WHERE id = ?').run(garbled, 'ex-0001');
        const corrupted = { name: 'StoreCorruptedError', location: `${file}, table keel_executions, id "ex-0001"` };
        await expect(store.getExecution('ex-0001')).rejects.toMatchObject(corrupted);
        await expect(store.updateExecution('ex-0001', { status: 'failed' })).rejects.toMatchObject(corrupted);
        await expect(store.listExecutions()).rejects.toMatchObject(corrupted);
        expect(database.prepare('SELECT record FROM keel_executions WHERE id = ?').get('ex-0001')).toEqual({ record: garbled });
        // The other executions are still readable.
        expect(await store.getExecution('ex-0002')).toMatchObject({ id: 'ex-0002', version: 1 });
      });
    });

    it(`a checkpoint row with ${kind}`, async () => {
      await withStore(async (store, database, file) => {
        for (let seq = 0; seq < 3; seq++) await store.putCheckpoint(checkpointRecord('ex-0001', seq));
        database.prepare('UPDATE keel_checkpoints SET record = ? WHERE execution_id = ? AND id = ?').run(garbled, 'ex-0001', 'step:2');
        await expect(store.getCheckpoint('ex-0001', 'step:2')).rejects.toMatchObject({
          name: 'StoreCorruptedError',
          location: `${file}, table keel_checkpoints, execution "ex-0001", id "step:2"`,
        });
        await expect(store.listCheckpoints('ex-0001')).rejects.toMatchObject({
          name: 'StoreCorruptedError',
          location: `${file}, table keel_checkpoints, execution "ex-0001", id "step:2"`,
        });
        expect(database.prepare('SELECT record FROM keel_checkpoints WHERE id = ?').get('step:2')).toEqual({ record: garbled });
        expect(await store.getCheckpoint('ex-0001', 'step:3')).toStrictEqual(checkpointRecord('ex-0001', 2));
      });
    });
  }

  it('a wait, an artifact and a log row', async () => {
    await withStore(async (store, database, file) => {
      const payload = { hash: 'sha256:00', size: 1 };
      await store.putWait({ executionId: 'ex-0001', id: 'a:1', name: 'a', status: 'pending', schema: {}, createdAt: 1 });
      await store.putArtifact({ executionId: 'ex-0001', name: 'output', type: 'json', payload, checkpointId: null, createdAt: 1 });
      await store.appendLogs([{ executionId: 'ex-0001', checkpointId: null, level: 'info', message: 'hello', session: 1, time: 1 }]);
      for (const table of ['keel_waits', 'keel_artifacts', 'keel_logs']) database.prepare(`UPDATE ${table} SET record = ?`).run('[{"trunc');
      const corrupted = (location: string) => ({ name: 'StoreCorruptedError', location: `${file}, ${location}` });
      await expect(store.getWait('ex-0001', 'a:1')).rejects.toMatchObject(corrupted('table keel_waits, execution "ex-0001", id "a:1"'));
      await expect(store.resolveWait('ex-0001', 'a:1', { input: payload, resolvedAt: 2 })).rejects.toMatchObject(
        corrupted('table keel_waits, execution "ex-0001", id "a:1"'),
      );
      await expect(store.listWaits('ex-0001')).rejects.toMatchObject(corrupted('table keel_waits, execution "ex-0001", id "a:1"'));
      await expect(store.getArtifact('ex-0001', 'output')).rejects.toMatchObject(corrupted('table keel_artifacts, execution "ex-0001", name "output"'));
      await expect(store.listArtifacts('ex-0001')).rejects.toMatchObject(corrupted('table keel_artifacts, execution "ex-0001", name "output"'));
      await expect(store.listLogs('ex-0001')).rejects.toMatchObject(corrupted('table keel_logs, execution "ex-0001"'));
      for (const table of ['keel_waits', 'keel_artifacts', 'keel_logs']) {
        expect(database.prepare(`SELECT record FROM ${table}`).all()).toEqual([{ record: '[{"trunc' }]);
      }
    });
  });
});

describe('a blob missing from the database', () => {
  it('fails the retried run with BlobMissingError naming the checkpoint, and changes no record', async () => {
    await withStore(async (store, database) => {
      const runtime = createRuntime({ store });
      let quotes = 0;
      let runs = 0;
      const purchase = runtime.flow('purchase', async () => {
        const quote = await checkpoint('quote', () => ({ price: 42, quoteNumber: ++quotes }));
        if (++runs === 1) throw new Error('the first run fails after its quote');
        return quote.price;
      });
      const failed = await purchase.run(undefined);
      expect(failed.status).toBe('failed');
      const record = await store.getCheckpoint(failed.executionId, 'quote:1');
      expect(Number(database.prepare('DELETE FROM keel_blobs WHERE hash = ?').run(record!.output!.hash).changes)).toBe(1);
      const records = await store.listCheckpoints(failed.executionId);

      const retried = await runtime.executions.retry(failed.executionId);
      expect(retried.status).toBe('failed');
      expect(BlobMissingError.isInstance(retried.error)).toBe(true);
      expect(retried.error).toMatchObject({ checkpointId: 'quote:1', executionId: failed.executionId, hash: record!.output!.hash, location: store.location });
      expect(quotes).toBe(1);
      expect(await store.listCheckpoints(failed.executionId)).toStrictEqual(records);
    });
  });
});
