import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeelError, LeaseLostError, type Store } from '@keel/core';
import { runStoreConformance } from '@keel/core/testing';
import {
  listenForWork,
  postgresSchemaVersion,
  postgresStore,
  StoreSchemaOutdatedError,
  StoreSchemaTooNewError,
  StoreUnavailableError,
  type PostgresStoreOptions,
  type WorkListener,
  type WorkNotification,
} from '@keel/store-postgres';
import { crashAfterCalls, effectRuns, jsonLine, startChild } from '@keel/testkit';

const serverUrl = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let admin: pg.Client;
/** What each test opened, closed and dropped after it. */
let opened: { stores: Store[]; pools: pg.Pool[]; listeners: WorkListener[]; schemas: string[] } = {
  stores: [],
  pools: [],
  listeners: [],
  schemas: [],
};
const folders: string[] = [];

beforeAll(async () => {
  admin = new pg.Client(serverUrl);
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The @keel/store-postgres tests need a PostgreSQL server at ${serverUrl.replace(/:[^:@/]*@/, ':***@')} ` +
        `(KEEL_TEST_POSTGRES_URL), and connecting failed: ${(error as Error).message}. Start the server, or set ` +
        'KEEL_TEST_POSTGRES_URL to one that runs. These tests fail rather than skip, so a missing server is never mistaken for a pass.',
    );
  }
});

afterEach(async () => {
  const { stores, pools, listeners, schemas } = opened;
  opened = { stores: [], pools: [], listeners: [], schemas: [] };
  for (const listener of listeners) await listener.close();
  for (const store of stores) await store.close();
  for (const pool of pools) await pool.end();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

afterAll(async () => {
  await admin?.end();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A fresh schema name, dropped after the test. */
function newSchema(): string {
  const schema = `keel_test_${randomBytes(6).toString('hex')}`;
  opened.schemas.push(schema);
  return schema;
}

/** The server URL with `?schema=`. */
function urlWithSchema(schema: string): string {
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

function open(schema = newSchema(), options?: PostgresStoreOptions): Store {
  const store = postgresStore(urlWithSchema(schema), options);
  opened.stores.push(store);
  return store;
}

function newPool(config: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: serverUrl, ...config });
  pool.on('error', () => {});
  opened.pools.push(pool);
  return pool;
}

const execution = (id: string, status: 'queued' | 'running' = 'running') =>
  ({ id, flow: 'example', status, input: { hash: 'sha256:00', size: 4 }, lease: null, sessions: 0, createdAt: 1_000 }) as const;

/** Resolves with the first notification `accept` takes. */
function nextNotification(accept: (notification: WorkNotification) => boolean) {
  let resolve!: (notification: WorkNotification) => void;
  const received = new Promise<WorkNotification>((done) => (resolve = done));
  return {
    received,
    onWork: (notification: WorkNotification) => {
      if (accept(notification)) resolve(notification);
    },
  };
}

/** The URL (with its fresh schema) each conformance store was opened with, for the suite's child processes. */
const conformanceUrls = new WeakMap<Store, string>();

runStoreConformance({
  createStore: () => {
    const url = urlWithSchema(newSchema());
    const store = postgresStore(url);
    conformanceUrls.set(store, url);
    return store;
  },
  shared: (store) => ({
    module: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
    exportName: 'postgresStore',
    argument: conformanceUrls.get(store),
  }),
});

describe('the schema', () => {
  it('is created in its own PostgreSQL schema and records its version and who migrated it', async () => {
    const schema = newSchema();
    await open(schema).createExecution(execution('ex_1'));
    const rows = await admin.query<{ version: number; applied_by: string }>(`SELECT version, applied_by FROM "${schema}".keel_schema ORDER BY version`);
    expect(rows.rows.map((row) => row.version)).toEqual(Array.from({ length: postgresSchemaVersion }, (_, index) => index + 1));
    expect(rows.rows.at(-1)?.applied_by).toMatch(/^@keel\/store-postgres \d+\.\d+\.\d+/);
    const tables = await admin.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [
      schema,
    ]);
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      'artifacts',
      'blobs',
      'checkpoints',
      'deployments',
      'executions',
      'keel_schema',
      'logs',
      'tags',
      'waits',
    ]);
  });

  it('is refused when a newer Keel migrated it, with the location, both versions and what to do; nothing is changed', async () => {
    const schema = newSchema();
    const first = open(schema);
    await first.createExecution(execution('ex_1'));
    await admin.query(`INSERT INTO "${schema}".keel_schema (version, applied_by) VALUES ($1, '@keel/store-postgres 99.0.0')`, [postgresSchemaVersion + 3]);

    const error = await open(schema)
      .getExecution('ex_1')
      .catch((caught: unknown) => caught);
    expect(StoreSchemaTooNewError.isInstance(error)).toBe(true);
    expect(KeelError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`(schema ${schema})`);
    expect(message).toContain('127.0.0.1');
    expect(message).toContain(`schema version ${postgresSchemaVersion + 3}`);
    expect(message).toContain(`up to ${postgresSchemaVersion}`);
    expect(message).toContain(`${schema}.keel_schema`);
    expect(message).toMatch(/Upgrade @keel\/store-postgres/);
    expect(error).toMatchObject({ version: postgresSchemaVersion + 3, supportedVersion: postgresSchemaVersion });
    const rows = await admin.query(`SELECT id FROM "${schema}".executions`);
    expect(rows.rows).toEqual([{ id: 'ex_1' }]);
  });

  it('with migrate: false, is not created, and the error says how to create it', async () => {
    const schema = newSchema();
    const error = await open(schema, { migrate: false })
      .listExecutions()
      .catch((caught: unknown) => caught);
    expect(StoreSchemaOutdatedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('migrate: false');
    const found = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(found.rowCount).toBe(0);
  });

  it('is migrated once when several workers open a new database at the same moment', async () => {
    const schema = newSchema();
    // Separate stores, each with its own pool: separate sessions racing on the server.
    const stores = Array.from({ length: 6 }, () => open(schema, { poolSize: 1 }));
    await Promise.all(stores.map((store, index) => store.createExecution(execution(`ex_${index}`))));
    const versions = await admin.query(`SELECT version FROM "${schema}".keel_schema`);
    expect(versions.rowCount).toBe(postgresSchemaVersion);
    expect((await stores[0]!.listExecutions()).map((record) => record.id)).toEqual(['ex_5', 'ex_4', 'ex_3', 'ex_2', 'ex_1', 'ex_0']);
  });

  it("answers the runner's frequent queries from indexes", async () => {
    const schema = newSchema();
    await open(schema).getExecution('ex_none');
    const client = await newPool({ max: 1 }).connect();
    try {
      // The tables are empty, so the planner would scan them; forbidding scans shows an index serves.
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string) => (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(await plan(`SELECT record FROM "${schema}".checkpoints WHERE execution_id = 'ex_1' ORDER BY seq, id`)).toContain('checkpoints_by_seq');
      expect(await plan(`SELECT record FROM "${schema}".executions WHERE status = 'queued' ORDER BY id DESC LIMIT 10`)).toContain('executions_by_status');
      expect(await plan(`SELECT record FROM "${schema}".executions WHERE flow = 'x' AND id < 'ex_9' ORDER BY id DESC LIMIT 10`)).toContain(
        'executions_by_flow',
      );
      expect(await plan(`SELECT record FROM "${schema}".executions WHERE id < 'ex_9' ORDER BY id DESC LIMIT 10`)).toContain('executions_pkey');
      expect(await plan(`SELECT record FROM "${schema}".logs WHERE execution_id = 'ex_1' ORDER BY position LIMIT 10`)).toContain('logs_by_execution');
    } finally {
      client.release();
    }
  });
});

describe('payloads', () => {
  it('are stored once per hash, and records refer to them by hash', async () => {
    const schema = newSchema();
    const store = open(schema);
    const content = JSON.stringify({ text: 'y'.repeat(20_000) });
    await Promise.all([1, 2, 3].map(() => store.putBlob('sha256:big', content)));
    await store.putArtifact({
      executionId: 'ex_1',
      name: 'output',
      type: 'json',
      payload: { hash: 'sha256:big', size: content.length },
      checkpointId: null,
      createdAt: 1,
    });
    expect(await store.getBlob('sha256:big')).toBe(content);
    const blobs = await admin.query(`SELECT count(*)::int AS count, max(size) AS size FROM "${schema}".blobs`);
    expect(blobs.rows[0]).toEqual({ count: 1, size: content.length });
    const artifact = await admin.query(`SELECT octet_length(record::text) AS length FROM "${schema}".artifacts`);
    expect(artifact.rows[0].length).toBeLessThan(1_000);
  });
});

describe('LISTEN/NOTIFY', () => {
  it('wakes a listener when a wait gets its input, with the execution id', async () => {
    const store = open();
    await store.createExecution(execution('ex_waiting'));
    await store.putWait({ executionId: 'ex_waiting', id: 'approve:1', name: 'approve', status: 'pending', schema: { type: 'boolean' }, createdAt: 1 });
    const input = nextNotification((notification) => notification.kind === 'input');
    opened.listeners.push(await listenForWork(store, input.onWork));

    const resolved = await store.resolveWait('ex_waiting', 'approve:1', { input: { hash: 'sha256:01', size: 4 }, resolvedBy: 'test', resolvedAt: 2 });
    expect(resolved.ok).toBe(true);
    expect(await input.received).toEqual({ kind: 'input', executionId: 'ex_waiting' });
  });

  it('wakes a listener when a queued execution is created, also by SQL from outside Keel', async () => {
    const schema = newSchema();
    const store = open(schema);
    await store.getExecution('ex_none');
    const seen: WorkNotification[] = [];
    const fromStore = nextNotification((notification) => notification.kind === 'queued' && notification.executionId === 'ex_queued');
    const fromSql = nextNotification((notification) => notification.kind === 'queued' && notification.executionId === 'ex_by_sql');
    opened.listeners.push(
      await listenForWork(urlWithSchema(schema), (notification) => {
        seen.push(notification);
        fromStore.onWork(notification);
        fromSql.onWork(notification);
      }),
    );

    await store.createExecution(execution('ex_running', 'running'));
    await store.createExecution(execution('ex_queued', 'queued'));
    expect(await fromStore.received).toEqual({ kind: 'queued', executionId: 'ex_queued' });
    await admin.query(
      `INSERT INTO "${schema}".executions (id, flow, status, version, created_at, updated_at, record)
       VALUES ('ex_by_sql', 'example', 'queued', 1, 1, 1, '{}')`,
    );
    await fromSql.received;
    // Notifications arrive in commit order: nothing was sent for the execution that was not queued.
    expect(seen.map((notification) => (notification.kind === 'reconnected' ? notification.kind : notification.executionId))).toEqual([
      'ex_queued',
      'ex_by_sql',
    ]);
  });
});

describe('a lost connection', () => {
  it("is survived by the next call when the pool's backend was terminated", async () => {
    const schema = newSchema();
    const pool = newPool({ max: 1 });
    const store = postgresStore(pool, { schema });
    opened.stores.push(store);
    await store.createExecution(execution('ex_1'));
    const before = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const terminated = await admin.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [before]);
    expect(terminated.rows[0]!.done).toBe(true);

    expect((await store.getExecution('ex_1'))?.id).toBe('ex_1');
    await store.putCheckpoint({
      executionId: 'ex_1',
      id: 'after:1',
      parentId: null,
      name: 'after',
      kind: 'step',
      status: 'completed',
      seq: 0,
      attempts: 1,
      delivery: 'at-least-once',
      durable: true,
      startedAt: 1,
    });
    expect((await store.listCheckpoints('ex_1')).map((record) => record.id)).toEqual(['after:1']);
    const after = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    expect(after).not.toBe(before);
  });

  it('in the middle of a compare-and-set is retried on a new connection, and the update applies exactly once', async () => {
    const schema = newSchema();
    const applicationName = `keel_retry_${schema}`;
    const pool = newPool({ max: 1, application_name: applicationName });
    const store = postgresStore(pool, { schema });
    opened.stores.push(store);
    await store.createExecution(execution('ex_1'));

    // Another session holds the row, so the store's UPDATE waits on it; then that waiting backend is
    // terminated, as a server restart or a network cut would.
    const locker = await newPool({ max: 1 }).connect();
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM "${schema}".executions WHERE id = 'ex_1' FOR UPDATE`);
    const update = store.updateExecution('ex_1', { status: 'completed', endedAt: 5 }, { version: 1 });
    let waiting: number | undefined;
    while (waiting === undefined) {
      const found = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
        applicationName,
      ]);
      waiting = found.rows[0]?.pid;
      if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
    await locker.query('COMMIT');
    locker.release();

    const result = await update;
    expect(result).toMatchObject({ ok: true, record: { status: 'completed', version: 2, endedAt: 5 } });
    const row = await admin.query(`SELECT version, status FROM "${schema}".executions WHERE id = 'ex_1'`);
    expect(row.rows[0]).toEqual({ version: 2, status: 'completed' });
  });

  it('fails with StoreUnavailableError naming the store once the server stays away longer than retryFor', async () => {
    const store = postgresStore('postgres://keel@127.0.0.1:1/nowhere', { retryFor: 300 });
    opened.stores.push(store);
    const error = await store.getExecution('ex_1').catch((caught: unknown) => caught);
    expect(StoreUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('postgres://keel@127.0.0.1:1/nowhere (schema keel)');
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });
});

/** A completed step's record, for the writes below. */
const stepRecord = (id: string, seq = 0) =>
  ({
    executionId: 'ex_1',
    id,
    parentId: null,
    name: id.split(':')[0]!,
    kind: 'step',
    status: 'completed',
    seq,
    attempts: 1,
    delivery: 'at-least-once',
    durable: true,
    startedAt: 1,
    output: { hash: 'sha256:out', size: 5 },
  }) as const;

describe('writeCheckpoints', () => {
  it('is one query to the server for blobs, records, the fence and the cancel flag', async () => {
    const schema = newSchema();
    const pool = newPool({ max: 1 });
    const store = postgresStore(pool, { schema });
    opened.stores.push(store);
    const lease = { owner: 'worker-a', host: 'h', pid: 1, expiresAt: Date.now() + 60_000 };
    await store.createExecution({ ...execution('ex_1'), lease, sessions: 1 });
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    let queries = 0;
    pool.query = ((...args: unknown[]) => {
      queries++;
      return query(...args);
    }) as typeof pool.query;

    const receipt = await store.writeCheckpoints(
      { blobs: [{ hash: 'sha256:out', content: '"out"' }], checkpoints: [stepRecord('a:1', 0), stepRecord('b:1', 1)] },
      { owner: 'worker-a', session: 1 },
    );
    expect(queries).toBe(1);
    expect(receipt).toEqual({ cancelRequested: false });
    // A session's usual call, one blob and one record, takes the statement with scalar parameters.
    await store.writeCheckpoints({ blobs: [{ hash: 'sha256:c', content: '"c"' }], checkpoints: [stepRecord('c:1', 2)] }, { owner: 'worker-a', session: 1 });
    expect(queries).toBe(2);
    expect((await store.listCheckpoints('ex_1')).map((record) => record.id)).toEqual(['a:1', 'b:1', 'c:1']);
    expect(await store.getBlob('sha256:c')).toBe('"c"');
    expect(await store.getBlob('sha256:out')).toBe('"out"');
  });

  it('cut off mid-write is retried on a new connection: records and blob land once, and the receipt sees the cancel committed meanwhile', async () => {
    const schema = newSchema();
    const applicationName = `keel_write_retry_${schema}`;
    const store = postgresStore(newPool({ max: 1, application_name: applicationName }), { schema });
    opened.stores.push(store);
    const lease = { owner: 'worker-a', host: 'h', pid: 1, expiresAt: Date.now() + 60_000 };
    await store.createExecution({ ...execution('ex_1'), lease, sessions: 1 });

    // Another session holds the execution row (a cancel being requested), so the write waits on it;
    // then that waiting backend is terminated, as a server restart or a network cut would.
    const locker = await newPool({ max: 1 }).connect();
    await locker.query('BEGIN');
    await locker.query(`UPDATE "${schema}".executions SET record = (record::jsonb || '{"cancelRequested": true}'::jsonb)::json WHERE id = 'ex_1'`);
    const write = store.writeCheckpoints(
      { blobs: [{ hash: 'sha256:out', content: '"out"' }], checkpoints: [stepRecord('a:1')] },
      { owner: 'worker-a', session: 1 },
    );
    let waiting: number | undefined;
    while (waiting === undefined) {
      const found = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
        applicationName,
      ]);
      waiting = found.rows[0]?.pid;
      if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
    await locker.query('COMMIT');
    locker.release();

    expect(await write).toEqual({ cancelRequested: true });
    const rows = await admin.query(
      `SELECT (SELECT count(*)::int FROM "${schema}".checkpoints) AS checkpoints, (SELECT count(*)::int FROM "${schema}".blobs) AS blobs`,
    );
    expect(rows.rows[0]).toEqual({ checkpoints: 1, blobs: 1 });
  });

  it('takes the last of two records with one id in a batch, as two writes in a row would', async () => {
    const store = open();
    await store.createExecution(execution('ex_1'));
    await store.writeCheckpoints({ checkpoints: [{ ...stepRecord('a:1'), status: 'running' }, stepRecord('b:1', 1), stepRecord('a:1')] });
    expect((await store.listCheckpoints('ex_1')).map((record) => [record.id, record.status])).toEqual([
      ['a:1', 'completed'],
      ['b:1', 'completed'],
    ]);
  });
});

describe('a fenced write racing a takeover', () => {
  const writes = {
    putCheckpoint: (store: Store) => store.putCheckpoint(stepRecord('late:1'), { owner: 'worker-a', session: 1 }),
    writeCheckpoints: (store: Store) =>
      store.writeCheckpoints({ blobs: [{ hash: 'sha256:out', content: '"out"' }], checkpoints: [stepRecord('late:1')] }, { owner: 'worker-a', session: 1 }),
  };
  it.each(Object.keys(writes) as (keyof typeof writes)[])(
    '%s waits for the takeover that holds the execution row, then sees it and is refused: the lease is checked at the write, not before',
    async (name) => {
      const schema = newSchema();
      const applicationName = `keel_fence_${schema}`;
      const store = postgresStore(newPool({ max: 1, application_name: applicationName }), { schema });
      opened.stores.push(store);
      const lease = { owner: 'worker-a', host: 'h', pid: 1, expiresAt: Date.now() + 60_000 };
      await store.createExecution({ ...execution('ex_1'), lease, sessions: 1 });

      // Another worker's takeover, in a transaction left open: it holds the execution row.
      const taker = await newPool({ max: 1 }).connect();
      await taker.query('BEGIN');
      await taker.query(
        `UPDATE "${schema}".executions SET lease_owner = 'worker-b', version = version + 1,
         record = (record::jsonb || '{"sessions": 2, "lease": {"owner": "worker-b", "host": "h", "pid": 2, "expiresAt": 1}}'::jsonb
                   || jsonb_build_object('version', version + 1))::json
       WHERE id = 'ex_1'`,
      );
      // The stale holder's write started while the old lease was still the committed one…
      const write = writes[name](store).catch((error: unknown) => error);
      let settled = false;
      void write.then(() => (settled = true));
      let waiting = false;
      // (Without the row lock the write would not wait: it would settle here, having written.)
      while (!waiting && !settled) {
        const found = await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [applicationName]);
        waiting = found.rowCount === 1;
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // …and waits for the row; once the takeover commits, the write sees the new lease.
      await taker.query('COMMIT');
      taker.release();
      const refused = await write;
      expect(LeaseLostError.isInstance(refused), String(refused)).toBe(true);
      expect(refused).toMatchObject({ fence: { owner: 'worker-a', session: 1 }, current: { owner: 'worker-b', session: 2 } });
      expect(await store.listCheckpoints('ex_1')).toEqual([]);
      expect(await store.getBlob('sha256:out')).toBeNull();
    },
  );
});

describe('a flow on PostgreSQL killed with SIGKILL', () => {
  it('resumes in a new process and re-runs only the checkpoint that was in flight', async () => {
    const url = urlWithSchema(newSchema());
    const folder = mkdtempSync(join(tmpdir(), 'keel-postgres-'));
    folders.push(folder);
    const effects = join(folder, 'effects.log');
    const fixture = new URL('./fixtures/five-checkpoints.mjs', import.meta.url).pathname;
    const { killed, resumed } = await crashAfterCalls({
      start: () => startChild(fixture, [url, effects, 'run']),
      killAt: { lines: /^done 2$/ },
      resume: () => startChild(fixture, [url, effects, 'recover']),
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
