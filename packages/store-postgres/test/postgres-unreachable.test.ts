import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkpoint, createRuntime, type Store } from '@keel/core';
import { postgresStore } from '@keel/store-postgres';
import { jsonLine, killAllChildren, startChild, startTcpProxy, type TcpProxy } from '@keel/testkit';

// A worker whose connection to PostgreSQL goes away mid-run: it reaches the server through a TCP proxy
// that the test cuts (every connection reset, new ones refused) and restores, while the server and
// other workers carry on. The flow's steps write their side effects to a file, so the test counts
// what ran, and where.

const serverUrl = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const fixture = new URL('./fixtures/steps-worker.mjs', import.meta.url).pathname;
const steps = 4;

let admin: pg.Client;
let proxy: TcpProxy;
let schema: string;
let folder: string;
const stores: Store[] = [];

beforeAll(async () => {
  admin = new pg.Client(serverUrl);
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
});

beforeEach(async () => {
  const server = new URL(serverUrl);
  proxy = await startTcpProxy({ target: { host: server.hostname, port: Number(server.port || 5432) } });
  schema = `keel_test_${randomBytes(6).toString('hex')}`;
  folder = mkdtempSync(join(tmpdir(), 'keel-unreachable-'));
});

afterEach(async () => {
  await killAllChildren();
  for (const store of stores.splice(0)) await store.close();
  await proxy.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  rmSync(folder, { recursive: true, force: true });
});

/** The store URL, directly or through the proxy. */
function storeUrl(through: 'proxy' | 'direct'): string {
  const url = new URL(serverUrl);
  if (through === 'proxy') url.port = String(proxy.port);
  url.searchParams.set('schema', schema);
  return url.toString();
}

function effects(): string[] {
  return readFileSync(join(folder, 'effects.log'), 'utf8').split('\n').filter(Boolean);
}

/** Starts the worker through the proxy; resolves once it holds step 2, after that step's side effect. */
async function startWorker(options: { leaseTtlMs: number; retryFor: number }) {
  const worker = startChild(fixture, [JSON.stringify({ url: storeUrl('proxy'), effects: join(folder, 'effects.log'), steps, holdAt: 2, ...options })], {
    stdin: true,
  });
  const executionId = (await worker.waitForLine(/^holding /)).slice('holding '.length);
  return { worker, executionId, release: () => worker.process.stdin!.write('go\n') };
}

/** Another worker, straight to the server, recovering what is owed; its steps say `taker`. */
function startTaker(leaseTtlMs: number) {
  const store = postgresStore(storeUrl('direct'));
  stores.push(store);
  const runtime = createRuntime({ store, leaseTtlMs, codeVersion: 'steps-test' });
  runtime.flow('steps', async () => {
    const trail: string[] = [];
    for (let step = 1; step <= steps; step++) {
      trail.push(
        await checkpoint(`step_${step}`, () => {
          appendFileSync(join(folder, 'effects.log'), `taker step_${step}\n`);
          return `taker:${step}`;
        }),
      );
    }
    return trail;
  });
  return { store, runtime };
}

/** Calls `probe` every 50 ms until `done` accepts what it returned. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a worker whose PostgreSQL connection goes away mid-run', () => {
  it('for less than its lease: its writes are retried, and the run completes with every step run once', async () => {
    const { worker, executionId, release } = await startWorker({ leaseTtlMs: 20_000, retryFor: 60_000 });
    proxy.cut();
    release(); // Step 2 returns; recording it meets the cut.
    await proxy.refusedAtLeast(3); // The store kept trying to reconnect.
    proxy.restore();

    const { code, stdout, stderr } = await worker.exited;
    expect(code, stderr).toBe(0);
    expect(jsonLine(stdout, 'result')).toEqual({ status: 'completed', output: ['worker:1', 'worker:2', 'worker:3', 'worker:4'] });
    expect(effects()).toEqual(['worker step_1', 'worker step_2', 'worker step_3', 'worker step_4']);
    const store = startTaker(20_000).store;
    expect(await store.getExecution(executionId)).toMatchObject({ status: 'completed', sessions: 1, lease: null });
    expect((await store.listCheckpoints(executionId)).map((record) => [record.id, record.status, record.session])).toEqual(
      [1, 2, 3, 4].map((step) => [`step_${step}:1`, 'completed', 1]),
    );
  });

  it('past its lease: another worker takes over and completes; the cut-off worker, back, writes nothing and stops', async () => {
    const leaseTtlMs = 1_000;
    const { worker, executionId, release } = await startWorker({ leaseTtlMs, retryFor: 60_000 });
    proxy.cut();
    release();

    const { store, runtime } = startTaker(leaseTtlMs);
    const reports = await until(
      () => runtime.executions.recover(),
      (found) => found.length > 0,
    );
    expect(reports).toMatchObject([{ executionId, result: { status: 'completed', output: ['worker:1', 'taker:2', 'taker:3', 'taker:4'] } }]);
    const recorded = await snapshot(store, executionId);

    proxy.restore();
    const { code, stdout, stderr } = await worker.exited;
    expect(code, stderr).toBe(0);
    // Back, the worker finds (or is told by the store's fence) that the execution is another's.
    expect(stdout).toMatch(/^stopped (LeaseLostError|ExecutionLeasedError|ExecutionStateError)$/m);
    // Step 2 ran on both (its result never reached the store: at least once); nothing else ran twice,
    // and the cut-off worker ran nothing after it.
    expect(effects()).toEqual(['worker step_1', 'worker step_2', 'taker step_2', 'taker step_3', 'taker step_4']);
    expect(await snapshot(store, executionId)).toStrictEqual(recorded);
    expect(recorded.execution).toMatchObject({ status: 'completed', sessions: 2 });
  });

  it("for longer than the store's retryFor: the run stops without recording a failure, and another worker completes it", async () => {
    const leaseTtlMs = 2_000;
    const { worker, executionId, release } = await startWorker({ leaseTtlMs, retryFor: 500 });
    proxy.cut();
    release();
    // The store gave up on recording step 2 (StoreUnavailableError) while the link was down…
    await worker.waitForLine(/^threw step_2 StoreUnavailableError$/);
    // …and comes back while the flow is still ending with that error: the outage must not be recorded
    // as the execution's failure.
    proxy.restore();
    const { code, stdout, stderr } = await worker.exited;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^stopped StoreUnavailableError$/m);

    const { store, runtime } = startTaker(leaseTtlMs);
    expect(await store.getExecution(executionId)).toMatchObject({ status: 'running', sessions: 1 });
    const reports = await until(
      () => runtime.executions.recover(),
      (found) => found.length > 0,
    );
    expect(reports).toMatchObject([{ executionId, result: { status: 'completed', output: ['worker:1', 'taker:2', 'taker:3', 'taker:4'] } }]);
    expect(effects()).toEqual(['worker step_1', 'worker step_2', 'taker step_2', 'taker step_3', 'taker step_4']);
  });
});

describe('a connection reset while a call waits on a lock', () => {
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.end();
  });

  /** A store through the proxy whose connections carry an application name of their own, to find them in pg_stat_activity. */
  function openThroughProxy() {
    const applicationName = `keel_reset_${schema}`;
    const pool = new pg.Pool({ connectionString: storeUrl('proxy'), application_name: applicationName, max: 2 });
    pools.push(pool);
    const store = postgresStore(pool, { schema, retryFor: 30_000 });
    stores.push(store);
    /** How many of the store's connections last ran a statement like `pattern` (while waiting on a lock, or not yet gone). */
    const connections = (pattern: string) => async () =>
      (
        await admin.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2', [
          applicationName,
          pattern,
        ])
      ).rows[0]!.count;
    return { store, connections };
  }

  // pg.Pool stops listening to a client's `error` event while it is checked out (the migration's
  // transaction): a reset there used to be an unhandled `error` event that killed the process (vitest
  // reports it as an unhandled error).
  it('inside the migration’s transaction: nothing dies, and the open is retried once the link is back', async () => {
    const { store, connections } = openThroughProxy();
    // The migration's advisory lock (postgres-schema.ts), held here so the migration waits inside its transaction.
    await admin.query('SELECT pg_advisory_lock($1, hashtext($2))', [0x6b65656c, schema]);
    const listed = store.listExecutions();
    const migrating = connections('%pg_advisory_xact_lock%');
    await until(migrating, (count) => count === 1);
    proxy.cut();
    await admin.query('SELECT pg_advisory_unlock($1, hashtext($2))', [0x6b65656c, schema]);
    await until(migrating, (count) => count === 0);
    await proxy.refusedAtLeast(1);
    proxy.restore();
    expect(await listed).toEqual([]);
  });

  it('during a claim: the claim is retried once the link is back and takes the execution', async () => {
    const { store, connections } = openThroughProxy();
    await store.createExecution({
      id: 'ex-0001',
      flow: 'steps',
      status: 'queued',
      input: { hash: 'sha256:' + '0'.repeat(64), size: 2 },
      lease: null,
      sessions: 0,
      createdAt: Date.now(),
    });
    // The claim's SELECT … FOR UPDATE waits behind this lock when the link is cut. The lock has a
    // connection of its own: inside a transaction, admin's reads of pg_stat_activity would all see the
    // snapshot of its first one.
    const locker = new pg.Client(serverUrl);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${schema}".executions IN ACCESS EXCLUSIVE MODE`);
    const lease = { owner: 'worker-a', host: 'host-a', pid: 4242, expiresAt: Date.now() + 60_000 };
    const claim = store.claimQueued!({ flows: [{ flow: 'steps', codeVersions: ['*'] }] }, lease);
    const claiming = connections('%SKIP LOCKED%');
    await until(claiming, (count) => count === 1);
    proxy.cut();
    await locker.query('ROLLBACK');
    await locker.end();
    // The cut-off backend holds the row lock until it notices its client is gone; SKIP LOCKED would skip it.
    await until(claiming, (count) => count === 0);
    await proxy.refusedAtLeast(1);
    proxy.restore();
    expect(await claim).toMatchObject({ id: 'ex-0001', status: 'running', sessions: 1, lease });
    expect(await store.getExecution('ex-0001')).toMatchObject({ status: 'running', lease });
  });
});

async function snapshot(store: Store, executionId: string) {
  return {
    execution: await store.getExecution(executionId),
    checkpoints: await store.listCheckpoints(executionId),
    waits: await store.listWaits(executionId),
    artifacts: await store.listArtifacts(executionId),
    logs: await store.listLogs(executionId),
  };
}
