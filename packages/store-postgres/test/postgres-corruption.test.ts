import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BlobMissingError, checkpoint, createRuntime, type Store } from '@keel/core';
import { postgresStore } from '@keel/store-postgres';

const serverUrl = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let admin: pg.Client;
let opened: { stores: Store[]; schemas: string[] } = { stores: [], schemas: [] };

beforeAll(async () => {
  admin = new pg.Client(serverUrl);
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `These tests need the PostgreSQL server at KEEL_TEST_POSTGRES_URL and connecting failed: ${(error as Error).message}. ` + 'They fail rather than skip.',
    );
  }
});

afterEach(async () => {
  const { stores, schemas } = opened;
  opened = { stores: [], schemas: [] };
  for (const store of stores) await store.close();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

afterAll(async () => {
  await admin?.end();
});

/** A store on a fresh schema (created by a first read), and that schema's name. */
async function openStore(): Promise<{ store: Store; schema: string }> {
  const schema = `keel_test_${randomBytes(6).toString('hex')}`;
  opened.schemas.push(schema);
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  const store = postgresStore(url.toString());
  opened.stores.push(store);
  await store.listExecutions();
  return { store, schema };
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

async function recordText(schema: string, table: string, where: string, values: unknown[]): Promise<string[]> {
  const result = await admin.query<{ text: string }>(`SELECT record::text AS text FROM "${schema}".${table} WHERE ${where}`, values);
  return result.rows.map((row) => row.text);
}

describe('a garbled row fails with StoreCorruptedError naming it, and is left as it was', () => {
  // The `json` column refuses text that is not JSON, so what can go wrong is JSON of the wrong kind.
  const garbles = {
    'a string': '"garbled"',
    null: 'null',
    'a wrong shape': '{"not":"what the store wrote"}',
    "another row's record": JSON.stringify({ ...execution('ex-0002'), ...checkpointRecord('ex-0002', 9), version: 1, updatedAt: 1_000 }),
  };

  for (const [kind, garbled] of Object.entries(garbles)) {
    it(`an execution row holding ${kind}`, async () => {
      const { store, schema } = await openStore();
      await store.createExecution(execution('ex-0001'));
      await store.createExecution(execution('ex-0002'));
      await admin.query(`UPDATE "${schema}".executions SET record = $1::json WHERE id = $2`, [garbled, 'ex-0001']);
      const corrupted = { name: 'StoreCorruptedError', location: `${store.location}, table executions, id "ex-0001"` };
      await expect(store.getExecution('ex-0001')).rejects.toMatchObject(corrupted);
      await expect(store.updateExecution('ex-0001', { status: 'failed' })).rejects.toMatchObject(corrupted);
      // The oldest queued row is the garbled one: the claim reports it rather than start it or skip it.
      const claim = store.claimQueued!(
        { flows: [{ flow: 'example', codeVersions: ['*'] }] },
        { owner: 'w', host: 'h', pid: 1, expiresAt: Date.now() + 60_000 },
      );
      await expect(claim).rejects.toMatchObject(corrupted);
      await expect(store.listExecutions()).rejects.toMatchObject(corrupted);
      expect(await recordText(schema, 'executions', 'id = $1', ['ex-0001'])).toEqual([garbled]);
      expect(await store.getExecution('ex-0002')).toMatchObject({ id: 'ex-0002', version: 1 });
    });

    it(`a checkpoint row holding ${kind}`, async () => {
      const { store, schema } = await openStore();
      for (let seq = 0; seq < 3; seq++) await store.putCheckpoint(checkpointRecord('ex-0001', seq));
      await admin.query(`UPDATE "${schema}".checkpoints SET record = $1::json WHERE execution_id = $2 AND id = $3`, [garbled, 'ex-0001', 'step:2']);
      const corrupted = { name: 'StoreCorruptedError', location: `${store.location}, table checkpoints, execution "ex-0001", id "step:2"` };
      await expect(store.getCheckpoint('ex-0001', 'step:2')).rejects.toMatchObject(corrupted);
      await expect(store.listCheckpoints('ex-0001')).rejects.toMatchObject(corrupted);
      expect(await recordText(schema, 'checkpoints', 'id = $1', ['step:2'])).toEqual([garbled]);
      expect(await store.getCheckpoint('ex-0001', 'step:3')).toStrictEqual(checkpointRecord('ex-0001', 2));
    });
  }

  it('a wait, an artifact and a log row', async () => {
    const { store, schema } = await openStore();
    const payload = { hash: 'sha256:00', size: 1 };
    await store.putWait({ executionId: 'ex-0001', id: 'a:1', name: 'a', status: 'pending', schema: {}, createdAt: 1 });
    await store.putArtifact({ executionId: 'ex-0001', name: 'output', type: 'json', payload, checkpointId: null, createdAt: 1 });
    await store.appendLogs([{ executionId: 'ex-0001', checkpointId: null, level: 'info', message: 'hello', session: 1, time: 1 }]);
    for (const table of ['waits', 'artifacts', 'logs']) await admin.query(`UPDATE "${schema}".${table} SET record = '[1]'::json`);
    const corrupted = (location: string) => ({ name: 'StoreCorruptedError', location: `${store.location}, ${location}` });
    await expect(store.getWait('ex-0001', 'a:1')).rejects.toMatchObject(corrupted('table waits, execution "ex-0001", id "a:1"'));
    await expect(store.resolveWait('ex-0001', 'a:1', { input: payload, resolvedAt: 2 })).rejects.toMatchObject(
      corrupted('table waits, execution "ex-0001", id "a:1"'),
    );
    await expect(store.listWaits('ex-0001')).rejects.toMatchObject(corrupted('table waits, execution "ex-0001", id "a:1"'));
    await expect(store.getArtifact('ex-0001', 'output')).rejects.toMatchObject(corrupted('table artifacts, execution "ex-0001", name "output"'));
    await expect(store.listArtifacts('ex-0001')).rejects.toMatchObject(corrupted('table artifacts, execution "ex-0001", name "output"'));
    await expect(store.listLogs('ex-0001')).rejects.toMatchObject(corrupted('table logs, execution "ex-0001"'));
    for (const table of ['waits', 'artifacts', 'logs']) expect(await recordText(schema, table, 'true', [])).toEqual(['[1]']);
  });
});

describe('a blob missing from the database', () => {
  it('fails the retried run with BlobMissingError naming the checkpoint, and changes no record', async () => {
    const { store, schema } = await openStore();
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
    const deleted = await admin.query(`DELETE FROM "${schema}".blobs WHERE hash = $1`, [record!.output!.hash]);
    expect(deleted.rowCount).toBe(1);
    const records = await store.listCheckpoints(failed.executionId);

    const retried = await runtime.executions.retry(failed.executionId);
    expect(retried.status).toBe('failed');
    expect(BlobMissingError.isInstance(retried.error)).toBe(true);
    expect(retried.error).toMatchObject({ checkpointId: 'quote:1', executionId: failed.executionId, hash: record!.output!.hash, location: store.location });
    expect(quotes).toBe(1);
    expect(await store.listCheckpoints(failed.executionId)).toStrictEqual(records);
  });
});
