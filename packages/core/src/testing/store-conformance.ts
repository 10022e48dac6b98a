import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord, CheckpointRecord, ExecutionRecord, ExecutionStatus, LogRecord, PayloadRef, WaitRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ExecutionExistsError } from '../errors/execution-exists-error.js';
import { contentHash } from '../serialization/content-hash.js';
import type { WorkerResult, WorkerSpecification, WorkerTask } from './conformance-worker.js';
import { compiledWorkerFile } from './compiled-worker-file.js';
import { checkpointWriteConformanceTests } from './checkpoint-write-conformance.js';
import { claimConformanceTests } from './claim-conformance.js';
import { newCheckpoint } from './conformance-records.js';
import { deploymentConformanceTests } from './deployment-conformance.js';
import { fencingConformanceTests } from './fencing-conformance.js';
import { declareLeaseTests } from './lease-tests.js';

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /** The label of the suite's `describe()`. Default: the store's `name`. */
  readonly name?: string;
  /** Makes a fresh, empty store. Called once per test; the suite closes the store after the test. */
  readonly createStore: () => Promise<Store> | Store;
  /**
   * Tests this backend does not run, with the reason, named `<group> > <test>` as the report shows
   * them (e.g. `logs > offset and limit page through the lines`), or by a whole group (`multi-process`).
   * They are reported as skipped, with the reason. A name that matches no test fails the suite, so the
   * list cannot silently outlive a rename. Without `shared`, the tests that need another process
   * (`persistence`, `multi-process`, `leases across processes`) must be listed here: the suite refuses
   * to leave them out silently.
   */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
  /**
   * How another process opens the same store as `store` (one just made by `createStore`). With it,
   * the suite also runs its multi-process tests: it starts several `node` processes that each
   * `import(module)`, call its export `exportName` with `argument` to get a `Store`, and write at
   * the same moment. `module` is an absolute path, a `file:` URL, or a package name that resolves from
   * `@keel/core`. The worker runs compiled JavaScript, so the module must be JavaScript too (a built
   * `dist/`), and `@keel/core` must be built.
   *
   * @example
   * ```ts
   * shared: (store) => ({ module: '@keel/core/store', exportName: 'lowdbStore', argument: store.location })
   * ```
   */
  readonly shared?: (store: Store) => { readonly module: string; readonly exportName: string; readonly argument: unknown };
}

/**
 * Runs the conformance suite of the {@link Store} contract against a backend, with vitest: every
 * member and rule of the contract, and (with `shared`) writers in several real processes at once.
 * Every backend runs the same suite instead of its own copy of these tests.
 *
 * @example
 * ```ts
 * import { runStoreConformance } from '@keel/core/testing';
 * import { memoryStore } from '@keel/core/store';
 *
 * runStoreConformance({ createStore: () => memoryStore() });
 * ```
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  // The store's own name, and whether it claims queued work (an optional member), are only known once
  // one is made, hence the asynchronous collection.
  describe(options.name ?? 'store conformance', async () => {
    const probe = await options.createStore();
    const traits = { name: probe.name, claims: typeof probe.claimQueued === 'function' };
    await probe.close();
    if (options.name !== undefined) defineSuite(options, traits);
    else describe(traits.name, () => defineSuite(options, traits));
  });
}

const baseTime = 1_750_000_000_000;

/** What the suite learns from a first store: its name, and whether it implements `claimQueued`. */
interface StoreTraits {
  readonly name: string;
  readonly claims: boolean;
}

function defineSuite(options: StoreConformanceOptions, traits: StoreTraits): void {
  const skipped = new Map<string, string>();
  for (const entry of options.skip ?? []) for (const test of entry.tests) skipped.set(test, entry.reason);
  const defined = new Set<string>();
  const unchosen: string[] = [];
  let store: Store;

  beforeEach(async () => {
    store = await options.createStore();
  });
  afterEach(async () => {
    await store.close();
  });

  /**
   * Declares the tests of one group, honouring `skip`. A test listed in `skip` (by its name or its
   * group's) is declared skipped, with the reason in its title, so the run reports what it did not do
   * and why. A test that cannot run (`unavailable`: the store gave no `shared`) must be listed in `skip`
   * too: not running it is the store author's explicit choice, never a silent one. Titles are gathered
   * at once (vitest collects `describe` bodies later), so the checks at the end see them all.
   */
  function group(name: string, tests: (test: DeclareTest) => void, timeout = 20_000): void {
    const declared: { title: string; body: () => Promise<void>; reason: string | undefined }[] = [];
    defined.add(name);
    tests((title, body, unavailable) => {
      const path = `${name} > ${title}`;
      defined.add(path);
      const reason = skipped.get(path) ?? skipped.get(name);
      if (reason === undefined && unavailable !== undefined) unchosen.push(`"${path}" (${unavailable})`);
      declared.push({ title, body, reason });
    });
    describe(name, () => {
      for (const { title, body, reason } of declared) {
        if (reason === undefined) it(title, body, timeout);
        // The backend's own, declared choice (`skip: [{ reason, tests }]`): reported as skipped with its
        // reason instead of left out silently; a listed name that matches no test fails the suite above.
        else it.skip(`${title} — skipped: ${reason}`, body);
      }
    });
  }

  group('executions', (test) => {
    test('getExecution returns null for an unknown id', async () => {
      expect(await store.getExecution('ex-0001')).toBeNull();
    });

    test('createExecution stores version 1 and returns the stored record', async () => {
      const created = await store.createExecution(newExecution('ex-0001'));
      expect(created).toStrictEqual({ ...newExecution('ex-0001'), version: 1, updatedAt: created.updatedAt });
      expect(created.updatedAt).toBeTypeOf('number');
      expect(created.updatedAt).toBeGreaterThanOrEqual(created.createdAt);
      expect(await store.getExecution('ex-0001')).toStrictEqual(created);
    });

    test('a minimal execution round-trips without gaining fields', async () => {
      const created = await store.createExecution(newExecution('ex-0001'));
      const stored = await store.getExecution('ex-0001');
      expect(stored).toStrictEqual(created);
      expect(Object.keys(stored ?? {}).sort()).toEqual(['createdAt', 'flow', 'id', 'input', 'lease', 'sessions', 'status', 'updatedAt', 'version'].sort());
    });

    test('a full execution round-trips deep-equal, nested metadata included', async () => {
      const record = fullExecution('ex-0001');
      const created = await store.createExecution(record);
      expect(created).toStrictEqual({ ...record, version: 1, updatedAt: created.updatedAt });
      expect(await store.getExecution('ex-0001')).toStrictEqual(created);
    });

    test('createExecution rejects a duplicate id with ExecutionExistsError and keeps the first record', async () => {
      const first = await store.createExecution(newExecution('ex-0001'));
      const error = await store.createExecution(newExecution('ex-0001', { flow: 'other' })).catch((caught: unknown) => caught);
      expect(ExecutionExistsError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ executionId: 'ex-0001', location: store.location });
      expect(await store.getExecution('ex-0001')).toStrictEqual(first);
    });

    test('updateExecution with the current version applies the patch, increments version and sets updatedAt', async () => {
      const created = await store.createExecution(newExecution('ex-0001'));
      const before = Date.now();
      const result = await store.updateExecution('ex-0001', { status: 'completed', output: payload('"done"'), endedAt: before, sessions: 2 }, { version: 1 });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.record).toStrictEqual({
        ...created,
        status: 'completed',
        output: payload('"done"'),
        endedAt: before,
        sessions: 2,
        version: 2,
        updatedAt: result.record.updatedAt,
      });
      expect(result.record.updatedAt).toBeGreaterThanOrEqual(before);
      expect(result.record.updatedAt).toBeLessThanOrEqual(Date.now());
      expect(await store.getExecution('ex-0001')).toStrictEqual(result.record);
    });

    test('updateExecution without a condition applies the patch', async () => {
      await store.createExecution(newExecution('ex-0001'));
      await store.updateExecution('ex-0001', { status: 'waiting' }, { version: 1 });
      const result = await store.updateExecution('ex-0001', { cancelRequested: true });
      expect(result).toMatchObject({ ok: true, record: { cancelRequested: true, status: 'waiting', version: 3 } });
    });

    test('updateExecution with a stale version returns a conflict with the current record and changes nothing', async () => {
      await store.createExecution(newExecution('ex-0001'));
      const second = await store.updateExecution('ex-0001', { status: 'waiting' }, { version: 1 });
      if (!second.ok) throw new Error('the first update should apply');
      const result = await store.updateExecution('ex-0001', { status: 'failed', sessions: 9 }, { version: 1 });
      expect(result).toStrictEqual({ ok: false, reason: 'conflict', current: second.record });
      expect(await store.getExecution('ex-0001')).toStrictEqual(second.record);
    });

    test('updateExecution of an unknown id returns not-found', async () => {
      expect(await store.updateExecution('ex-0001', { status: 'failed' })).toStrictEqual({ ok: false, reason: 'not-found' });
      expect(await store.updateExecution('ex-0001', { status: 'failed' }, { version: 1 })).toStrictEqual({
        ok: false,
        reason: 'not-found',
      });
      expect(await store.getExecution('ex-0001')).toBeNull();
      expect(await store.listExecutions()).toEqual([]);
    });

    test('null in a patch removes the field, except lease, which is stored as null', async () => {
      const record = fullExecution('ex-0001');
      await store.createExecution(record);
      const result = await store.updateExecution(
        'ex-0001',
        { output: null, error: null, metadata: null, endedAt: null, cancelRequested: null, codeVersion: null, lease: null },
        { version: 1 },
      );
      if (!result.ok) throw new Error('the update should apply');
      for (const removed of ['output', 'error', 'metadata', 'endedAt', 'cancelRequested', 'codeVersion']) {
        expect(result.record).not.toHaveProperty(removed);
      }
      expect(result.record).toHaveProperty('lease', null);
      expect(result.record.replayOf).toStrictEqual(record.replayOf);
      expect(await store.getExecution('ex-0001')).toStrictEqual(result.record);
    });

    test('a patch replaces metadata as a whole, sets a lease, and leaves other fields alone', async () => {
      const record = fullExecution('ex-0001');
      await store.createExecution(record);
      const lease = { owner: 'runtime-2', host: 'worker-7', pid: 4242, expiresAt: baseTime + 30_000 };
      const result = await store.updateExecution(
        'ex-0001',
        { metadata: { replaced: { deeply: [1, 2, { three: 3 }] } }, lease, output: undefined },
        { version: 1 },
      );
      if (!result.ok) throw new Error('the update should apply');
      expect(result.record.metadata).toStrictEqual({ replaced: { deeply: [1, 2, { three: 3 }] } });
      expect(result.record.lease).toStrictEqual(lease);
      expect(result.record.output).toStrictEqual(record.output);
      expect(result.record.error).toStrictEqual(record.error);
      expect(await store.getExecution('ex-0001')).toStrictEqual(result.record);
    });

    test('of concurrent updates with the same version exactly one applies', async () => {
      await store.createExecution(newExecution('ex-0001'));
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => store.updateExecution('ex-0001', { sessions: index + 10 }, { version: 1 })));
      const applied = results.filter((result) => result.ok);
      expect(applied).toHaveLength(1);
      expect(results.filter((result) => !result.ok && result.reason === 'conflict')).toHaveLength(7);
      const winner = applied[0]?.ok ? applied[0].record : undefined;
      expect(await store.getExecution('ex-0001')).toMatchObject({ version: 2, sessions: winner?.sessions });
    });
  });

  group('listing executions', (test) => {
    /** Creates executions in a scrambled order; returns their ids, oldest first. */
    async function createMany(count: number, shape: (index: number) => Partial<ExecutionRecord> = () => ({})): Promise<string[]> {
      const ids = Array.from({ length: count }, (_, index) => executionId(index + 1));
      for (const index of scramble(count)) await store.createExecution(newExecution(ids[index] as string, shape(index)));
      return ids;
    }

    test('listExecutions on an empty store returns an empty list', async () => {
      expect(await store.listExecutions()).toEqual([]);
      expect(await store.listExecutions({ flow: 'news-scout', status: ['running'], before: 'ex-9999', limit: 5 })).toEqual([]);
    });

    test('lists newest first by id, whatever the creation order', async () => {
      const ids = await createMany(12);
      const listed = await store.listExecutions();
      expect(listed.map((record) => record.id)).toEqual([...ids].reverse());
      expect(listed[0]).toStrictEqual(await store.getExecution(ids.at(-1) as string));
    });

    test('filters by flow', async () => {
      const ids = await createMany(9, (index) => ({ flow: index % 3 === 0 ? 'digest' : 'news-scout' }));
      const listed = await store.listExecutions({ flow: 'digest' });
      expect(listed.map((record) => record.id)).toEqual([ids[6], ids[3], ids[0]]);
      expect(await store.listExecutions({ flow: 'unknown' })).toEqual([]);
    });

    test('filters by one status and by a list of statuses', async () => {
      const statuses: ExecutionStatus[] = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];
      const ids = await createMany(12, (index) => ({ status: statuses[index % statuses.length] as ExecutionStatus }));
      expect((await store.listExecutions({ status: 'waiting' })).map((record) => record.id)).toEqual([ids[8], ids[2]]);
      expect((await store.listExecutions({ status: ['failed', 'queued'] })).map((record) => record.id)).toEqual([ids[10], ids[6], ids[4], ids[0]]);
      expect(await store.listExecutions({ status: [] })).toEqual([]);
    });

    test('before returns only executions with a smaller id', async () => {
      const ids = await createMany(10);
      expect((await store.listExecutions({ before: ids[4] })).map((record) => record.id)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
      expect(await store.listExecutions({ before: ids[0] })).toEqual([]);
      expect(await store.listExecutions({ before: 'ex-9999' })).toHaveLength(10);
    });

    test('limit returns the newest ones; limit 0 returns none', async () => {
      const ids = await createMany(10);
      expect((await store.listExecutions({ limit: 3 })).map((record) => record.id)).toEqual([ids[9], ids[8], ids[7]]);
      expect(await store.listExecutions({ limit: 0 })).toEqual([]);
      expect(await store.listExecutions({ limit: 100 })).toHaveLength(10);
    });

    test('before and limit page through every execution exactly once', async () => {
      const ids = await createMany(25);
      const pages: string[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await store.listExecutions({ limit: 10, ...(before === undefined ? {} : { before }) });
        if (page.length === 0) break;
        pages.push(page.map((record) => record.id));
        before = page.at(-1)?.id;
      }
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual([...ids].reverse());
    });

    test('filters combine: flow, status, before and limit together', async () => {
      const ids = await createMany(30, (index) => ({
        flow: index % 2 === 0 ? 'digest' : 'news-scout',
        status: index % 3 === 0 ? 'failed' : 'completed',
      }));
      // digest and failed: index divisible by 6 → 0, 6, 12, 18, 24; before ids[20] → 18, 12, 6, 0; limit 3.
      const listed = await store.listExecutions({ flow: 'digest', status: ['failed'], before: ids[20], limit: 3 });
      expect(listed.map((record) => record.id)).toEqual([ids[18], ids[12], ids[6]]);
    });

    test('records of an execution that was never created do not make it listed', async () => {
      await store.putCheckpoint(newCheckpoint('ex-0002', 0));
      await store.putWait(newWait('ex-0002', 'approve:1'));
      await store.appendLogs([logLine('ex-0002', 0)]);
      await store.createExecution(newExecution('ex-0001'));
      expect((await store.listExecutions()).map((record) => record.id)).toEqual(['ex-0001']);
      expect(await store.getExecution('ex-0002')).toBeNull();
    });

    test('listing sees updates', async () => {
      const ids = await createMany(3);
      await store.updateExecution(ids[1] as string, { status: 'waiting' }, { version: 1 });
      const listed = await store.listExecutions({ status: 'waiting' });
      expect(listed.map((record) => [record.id, record.version])).toEqual([[ids[1], 2]]);
    });
  });

  group('checkpoints', (test) => {
    test('getCheckpoint returns null for an unknown execution or id', async () => {
      expect(await store.getCheckpoint('ex-0001', 'step:1')).toBeNull();
      await store.putCheckpoint(newCheckpoint('ex-0001', 0));
      expect(await store.getCheckpoint('ex-0001', 'step:9')).toBeNull();
      expect(await store.getCheckpoint('ex-0002', 'step:1')).toBeNull();
    });

    test('listCheckpoints of an unknown execution is empty', async () => {
      expect(await store.listCheckpoints('ex-0001')).toEqual([]);
    });

    test('a full checkpoint round-trips deep-equal', async () => {
      const record = fullCheckpoint('ex-0001');
      await store.putCheckpoint(record);
      expect(await store.getCheckpoint('ex-0001', record.id)).toStrictEqual(record);
      expect(await store.listCheckpoints('ex-0001')).toStrictEqual([record]);
    });

    test('a minimal checkpoint round-trips without gaining fields', async () => {
      const record = newCheckpoint('ex-0001', 0);
      await store.putCheckpoint(record);
      expect(await store.getCheckpoint('ex-0001', 'step:1')).toStrictEqual(record);
    });

    test('putCheckpoint replaces the record with the same id', async () => {
      const running = newCheckpoint('ex-0001', 0);
      await store.putCheckpoint(running);
      await store.putCheckpoint(newCheckpoint('ex-0001', 1));
      const completed: CheckpointRecord = { ...running, status: 'completed', output: payload('{"ok":true}'), endedAt: baseTime + 5 };
      await store.putCheckpoint(completed);
      expect(await store.getCheckpoint('ex-0001', 'step:1')).toStrictEqual(completed);
      expect((await store.listCheckpoints('ex-0001')).map((record) => [record.id, record.status])).toEqual([
        ['step:1', 'completed'],
        ['step:2', 'running'],
      ]);
    });

    test('listCheckpoints orders by seq even when put out of order', async () => {
      const count = 300;
      for (const seq of scramble(count)) await store.putCheckpoint(newCheckpoint('ex-0001', seq));
      const listed = await store.listCheckpoints('ex-0001');
      expect(listed.map((record) => record.seq)).toEqual(Array.from({ length: count }, (_, seq) => seq));
      expect(listed[200]).toStrictEqual(newCheckpoint('ex-0001', 200));
      for (const seq of [0, 127, 128, 255, 256, 299]) {
        expect(await store.getCheckpoint('ex-0001', `step:${seq + 1}`)).toStrictEqual(newCheckpoint('ex-0001', seq));
      }
    });

    test('checkpoints of different executions stay apart', async () => {
      await store.putCheckpoint(newCheckpoint('ex-0001', 0));
      await store.putCheckpoint({ ...newCheckpoint('ex-0002', 0), name: 'other' });
      expect(await store.getCheckpoint('ex-0001', 'step:1')).toMatchObject({ executionId: 'ex-0001', name: 'step' });
      expect(await store.getCheckpoint('ex-0002', 'step:1')).toMatchObject({ executionId: 'ex-0002', name: 'other' });
      expect(await store.listCheckpoints('ex-0001')).toHaveLength(1);
    });

    test('nested checkpoint ids round-trip', async () => {
      const parent = { ...newCheckpoint('ex-0001', 0), id: 'publish:1', name: 'publish' };
      const child = { ...newCheckpoint('ex-0001', 1), id: 'publish:1/render:1', name: 'render', parentId: 'publish:1' };
      await store.putCheckpoint(child);
      await store.putCheckpoint(parent);
      expect(await store.getCheckpoint('ex-0001', 'publish:1/render:1')).toStrictEqual(child);
      expect(await store.listCheckpoints('ex-0001')).toStrictEqual([parent, child]);
    });

    test('concurrent puts all land', async () => {
      await Promise.all(Array.from({ length: 150 }, (_, seq) => store.putCheckpoint(newCheckpoint(seq % 2 === 0 ? 'ex-0001' : 'ex-0002', seq))));
      expect(await store.listCheckpoints('ex-0001')).toHaveLength(75);
      expect(await store.listCheckpoints('ex-0002')).toHaveLength(75);
    });
  });

  group('checkpoint writes', (test) => checkpointWriteConformanceTests(test, () => store));

  group('waits', (test) => {
    test('getWait returns null and listWaits is empty for an unknown execution or id', async () => {
      expect(await store.getWait('ex-0001', 'approve:1')).toBeNull();
      expect(await store.listWaits('ex-0001')).toEqual([]);
      await store.putWait(newWait('ex-0001', 'approve:1'));
      expect(await store.getWait('ex-0001', 'approve:2')).toBeNull();
      expect(await store.getWait('ex-0002', 'approve:1')).toBeNull();
    });

    test('a wait round-trips deep-equal', async () => {
      const wait = fullWait('ex-0001', 'approve:1');
      await store.putWait(wait);
      expect(await store.getWait('ex-0001', 'approve:1')).toStrictEqual(wait);
      const minimal = newWait('ex-0001', 'approve:2');
      await store.putWait(minimal);
      expect(await store.getWait('ex-0001', 'approve:2')).toStrictEqual(minimal);
    });

    test('putWait replaces the wait with the same id and keeps creation order', async () => {
      for (const id of ['b:1', 'a:1', 'c:1']) await store.putWait(newWait('ex-0001', id));
      const replaced = { ...newWait('ex-0001', 'a:1'), question: 'Replaced?' };
      await store.putWait(replaced);
      const listed = await store.listWaits('ex-0001');
      expect(listed.map((wait) => wait.id)).toEqual(['b:1', 'a:1', 'c:1']);
      expect(listed[1]).toStrictEqual(replaced);
    });

    test('listWaits filters by status', async () => {
      await store.putWait(newWait('ex-0001', 'a:1'));
      await store.putWait({ ...newWait('ex-0001', 'b:1'), status: 'timed-out' });
      await store.putWait(newWait('ex-0001', 'c:1'));
      await store.resolveWait('ex-0001', 'c:1', { input: payload('true'), resolvedAt: baseTime + 9 });
      expect((await store.listWaits('ex-0001', { status: 'pending' })).map((wait) => wait.id)).toEqual(['a:1']);
      expect((await store.listWaits('ex-0001', { status: 'resolved' })).map((wait) => wait.id)).toEqual(['c:1']);
      expect((await store.listWaits('ex-0001', { status: 'timed-out' })).map((wait) => wait.id)).toEqual(['b:1']);
      expect((await store.listWaits('ex-0001', {})).map((wait) => wait.id)).toEqual(['a:1', 'b:1', 'c:1']);
    });

    test('resolveWait resolves a pending wait once; a second answer gets a conflict with the resolved wait', async () => {
      const wait = fullWait('ex-0001', 'approve:1');
      await store.putWait(wait);
      const resolution = { input: payload('{"approved":true}'), resolvedBy: 'cli', resolvedAt: baseTime + 60_000 };
      const first = await store.resolveWait('ex-0001', 'approve:1', resolution);
      const resolved: WaitRecord = { ...wait, ...resolution, status: 'resolved' };
      expect(first).toStrictEqual({ ok: true, record: resolved });
      const second = await store.resolveWait('ex-0001', 'approve:1', {
        input: payload('{"approved":false}'),
        resolvedBy: 'http',
        resolvedAt: baseTime + 61_000,
      });
      expect(second).toStrictEqual({ ok: false, reason: 'conflict', current: resolved });
      expect(await store.getWait('ex-0001', 'approve:1')).toStrictEqual(resolved);
    });

    test('resolveWait without resolvedBy leaves it absent', async () => {
      await store.putWait(newWait('ex-0001', 'approve:1'));
      const result = await store.resolveWait('ex-0001', 'approve:1', { input: payload('1'), resolvedAt: baseTime + 1 });
      if (!result.ok) throw new Error('the wait should resolve');
      expect(result.record).not.toHaveProperty('resolvedBy');
      expect(await store.getWait('ex-0001', 'approve:1')).toStrictEqual(result.record);
    });

    test('resolveWait of an unknown wait returns not-found', async () => {
      const resolution = { input: payload('1'), resolvedAt: baseTime };
      expect(await store.resolveWait('ex-0001', 'approve:1', resolution)).toStrictEqual({ ok: false, reason: 'not-found' });
      await store.putWait(newWait('ex-0001', 'approve:1'));
      expect(await store.resolveWait('ex-0001', 'approve:2', resolution)).toStrictEqual({ ok: false, reason: 'not-found' });
    });

    test('resolveWait of a timed-out wait returns a conflict', async () => {
      const timedOut: WaitRecord = { ...newWait('ex-0001', 'approve:1'), status: 'timed-out' };
      await store.putWait(timedOut);
      const result = await store.resolveWait('ex-0001', 'approve:1', { input: payload('1'), resolvedAt: baseTime });
      expect(result).toStrictEqual({ ok: false, reason: 'conflict', current: timedOut });
    });

    test('of concurrent answers exactly one counts', async () => {
      await store.putWait(newWait('ex-0001', 'approve:1'));
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          store.resolveWait('ex-0001', 'approve:1', {
            input: payload(String(index)),
            resolvedBy: `answer-${index}`,
            resolvedAt: baseTime,
          }),
        ),
      );
      const winners = results.filter((result) => result.ok);
      expect(winners).toHaveLength(1);
      expect(await store.getWait('ex-0001', 'approve:1')).toStrictEqual(winners[0]?.ok ? winners[0].record : undefined);
    });
  });

  group('artifacts', (test) => {
    test('getArtifact returns null and listArtifacts is empty for an unknown execution or name', async () => {
      expect(await store.getArtifact('ex-0001', 'output')).toBeNull();
      expect(await store.listArtifacts('ex-0001')).toEqual([]);
      await store.putArtifact(newArtifact('ex-0001', 'report'));
      expect(await store.getArtifact('ex-0001', 'output')).toBeNull();
      expect(await store.getArtifact('ex-0002', 'report')).toBeNull();
    });

    test('an artifact round-trips deep-equal', async () => {
      const artifact = { ...newArtifact('ex-0001', 'report'), checkpointId: 'publish:1/render:1', type: 'text/markdown' };
      await store.putArtifact(artifact);
      expect(await store.getArtifact('ex-0001', 'report')).toStrictEqual(artifact);
      expect(await store.listArtifacts('ex-0001')).toStrictEqual([artifact]);
    });

    test('putArtifact replaces by name and keeps the first-saved order', async () => {
      for (const name of ['summary', 'output', 'draft']) await store.putArtifact(newArtifact('ex-0001', name));
      const replaced = { ...newArtifact('ex-0001', 'output'), payload: payload('"second"'), createdAt: baseTime + 99 };
      await store.putArtifact(replaced);
      const listed = await store.listArtifacts('ex-0001');
      expect(listed.map((artifact) => artifact.name)).toEqual(['summary', 'output', 'draft']);
      expect(listed[1]).toStrictEqual(replaced);
      expect(await store.getArtifact('ex-0001', 'output')).toStrictEqual(replaced);
    });

    test('artifacts of different executions stay apart', async () => {
      await store.putArtifact(newArtifact('ex-0001', 'output'));
      await store.putArtifact({ ...newArtifact('ex-0002', 'output'), type: 'text' });
      expect(await store.getArtifact('ex-0001', 'output')).toMatchObject({ type: 'json' });
      expect(await store.getArtifact('ex-0002', 'output')).toMatchObject({ type: 'text' });
    });
  });

  group('blobs', (test) => {
    test('getBlob returns null for an unknown hash', async () => {
      expect(await store.getBlob(contentHash('never stored'))).toBeNull();
    });

    test('putBlob then getBlob returns the content: unicode, empty and large', async () => {
      const contents = ['{"text":"Grüße, 世界 — 🚀"}', '', JSON.stringify({ items: 'x'.repeat(200_000) })];
      for (const content of contents) await store.putBlob(contentHash(content), content);
      for (const content of contents) expect(await store.getBlob(contentHash(content))).toBe(content);
    });

    test('putBlob of a stored hash is a no-op that keeps the content', async () => {
      const content = '{"same":true}';
      await store.putBlob(contentHash(content), content);
      await store.putBlob(contentHash(content), content);
      await Promise.all([1, 2, 3].map(() => store.putBlob(contentHash(content), content)));
      expect(await store.getBlob(contentHash(content))).toBe(content);
    });
  });

  group('logs', (test) => {
    test('listLogs of an unknown execution is empty', async () => {
      expect(await store.listLogs('ex-0001')).toEqual([]);
      expect(await store.listLogs('ex-0001', { offset: 10, limit: 5 })).toEqual([]);
    });

    test('lines come back in append order, deep-equal', async () => {
      const { fields: _fields, ...withoutFields } = logLine('ex-0001', 3);
      const lines: LogRecord[] = [
        logLine('ex-0001', 0),
        { ...logLine('ex-0001', 1), checkpointId: 'search:1', level: 'warn', fields: { nested: { list: [1, 'two', null] } } },
        { ...logLine('ex-0001', 2), level: 'error', session: 2 },
        withoutFields,
      ];
      await store.appendLogs(lines.slice(0, 2));
      await store.appendLogs(lines.slice(2));
      expect(await store.listLogs('ex-0001')).toStrictEqual(lines);
    });

    test('offset and limit page through the lines', async () => {
      const all = Array.from({ length: 1234 }, (_, n) => logLine('ex-0001', n));
      let start = 0;
      for (const size of [1, 499, 1, 500, 233]) {
        await store.appendLogs(all.slice(start, start + size));
        start += size;
      }
      expect(await store.listLogs('ex-0001')).toStrictEqual(all);
      expect(await store.listLogs('ex-0001', { offset: 499, limit: 3 })).toStrictEqual(all.slice(499, 502));
      expect(await store.listLogs('ex-0001', { offset: 1000 })).toStrictEqual(all.slice(1000));
      expect(await store.listLogs('ex-0001', { limit: 2 })).toStrictEqual(all.slice(0, 2));
      expect(await store.listLogs('ex-0001', { offset: 1234 })).toEqual([]);
      expect(await store.listLogs('ex-0001', { offset: 5000, limit: 10 })).toEqual([]);
      expect(await store.listLogs('ex-0001', { offset: 3, limit: 0 })).toEqual([]);
    });

    test('one append may carry lines of several executions', async () => {
      await store.appendLogs([logLine('ex-0001', 0), logLine('ex-0002', 0), logLine('ex-0001', 1), logLine('ex-0003', 0), logLine('ex-0002', 1)]);
      expect(await store.listLogs('ex-0001')).toStrictEqual([logLine('ex-0001', 0), logLine('ex-0001', 1)]);
      expect(await store.listLogs('ex-0002')).toStrictEqual([logLine('ex-0002', 0), logLine('ex-0002', 1)]);
      expect(await store.listLogs('ex-0003')).toStrictEqual([logLine('ex-0003', 0)]);
    });

    test('an empty append changes nothing', async () => {
      await store.appendLogs([]);
      expect(await store.listLogs('ex-0001')).toEqual([]);
    });

    test('concurrent appends lose nothing and keep the order of each call', async () => {
      const calls = Array.from({ length: 20 }, (_, call) =>
        Array.from({ length: 40 }, (_, line) => ({ ...logLine('ex-0001', call * 100 + line), fields: { call, line } })),
      );
      await Promise.all(calls.map((lines) => store.appendLogs(lines)));
      const listed = await store.listLogs('ex-0001');
      expect(listed).toHaveLength(800);
      for (let call = 0; call < calls.length; call++) {
        const lines = listed.filter((line) => line.fields?.call === call).map((line) => line.fields?.line);
        expect(lines).toEqual(Array.from({ length: 40 }, (_, line) => line));
      }
    });
  });

  group('deployments', (test) => deploymentConformanceTests(test, () => store));

  group('fencing', (test) => fencingConformanceTests(test, () => store));

  // `claimQueued` is optional: a store without it is claimed from by listing and compare-and-set.
  if (traits.claims) group('claims', (test) => claimConformanceTests(test, () => store));

  group('copies', (test) => {
    test('mutating a returned execution changes nothing in the store', async () => {
      const created = await store.createExecution(fullExecution('ex-0001'));
      const snapshot = structuredClone(created);
      mutate(created);
      mutate(await store.getExecution('ex-0001'));
      for (const listed of await store.listExecutions()) mutate(listed);
      const updated = await store.updateExecution('ex-0001', { sessions: 3 }, { version: 1 });
      if (!updated.ok) throw new Error('the update should apply');
      const updatedAt = updated.record.updatedAt;
      mutate(updated.record);
      const conflict = await store.updateExecution('ex-0001', { sessions: 4 }, { version: 1 });
      if (conflict.ok || conflict.reason !== 'conflict') throw new Error('the update should conflict');
      mutate(conflict.current);
      expect(await store.getExecution('ex-0001')).toStrictEqual({ ...snapshot, sessions: 3, version: 2, updatedAt });
    });

    test('mutating a record after handing it to the store changes nothing in the store', async () => {
      const execution = fullExecution('ex-0001');
      await store.createExecution(execution);
      const expected = structuredClone(await store.getExecution('ex-0001'));
      mutate(execution);
      const patch = { metadata: { labels: { team: 'search' } } };
      const updated = await store.updateExecution('ex-0001', patch, { version: 1 });
      if (!updated.ok) throw new Error('the update should apply');
      patch.metadata.labels.team = 'mutated';
      expect(await store.getExecution('ex-0001')).toStrictEqual({
        ...expected,
        metadata: { labels: { team: 'search' } },
        version: 2,
        updatedAt: updated.record.updatedAt,
      });

      const checkpoint = fullCheckpoint('ex-0001');
      await store.putCheckpoint(checkpoint);
      const checkpointCopy = structuredClone(checkpoint);
      mutate(checkpoint);
      expect(await store.getCheckpoint('ex-0001', checkpointCopy.id)).toStrictEqual(checkpointCopy);

      const wait = fullWait('ex-0001', 'approve:1');
      await store.putWait(wait);
      const waitCopy = structuredClone(wait);
      mutate(wait);
      expect(await store.getWait('ex-0001', 'approve:1')).toStrictEqual(waitCopy);

      const line = logLine('ex-0001', 0);
      await store.appendLogs([line]);
      mutate(line);
      expect(await store.listLogs('ex-0001')).toStrictEqual([logLine('ex-0001', 0)]);
    });

    test('mutating returned checkpoints, waits, artifacts and log lines changes nothing in the store', async () => {
      const checkpoint = fullCheckpoint('ex-0001');
      const wait = fullWait('ex-0001', 'approve:1');
      const artifact = newArtifact('ex-0001', 'output');
      const line = logLine('ex-0001', 0);
      await store.putCheckpoint(checkpoint);
      await store.putWait(wait);
      await store.putArtifact(artifact);
      await store.appendLogs([line]);

      mutate(await store.getCheckpoint('ex-0001', checkpoint.id));
      for (const record of await store.listCheckpoints('ex-0001')) mutate(record);
      mutate(await store.getWait('ex-0001', wait.id));
      for (const record of await store.listWaits('ex-0001')) mutate(record);
      mutate(await store.getArtifact('ex-0001', 'output'));
      for (const record of await store.listArtifacts('ex-0001')) mutate(record);
      for (const record of await store.listLogs('ex-0001')) mutate(record);
      const resolved = await store.resolveWait('ex-0001', wait.id, { input: payload('1'), resolvedAt: baseTime });
      if (!resolved.ok) throw new Error('the wait should resolve');
      mutate(resolved.record);

      expect(await store.getCheckpoint('ex-0001', checkpoint.id)).toStrictEqual(checkpoint);
      expect(await store.getWait('ex-0001', wait.id)).toStrictEqual({
        ...wait,
        input: payload('1'),
        resolvedAt: baseTime,
        status: 'resolved',
      });
      expect(await store.listArtifacts('ex-0001')).toStrictEqual([artifact]);
      expect(await store.listLogs('ex-0001')).toStrictEqual([line]);
    });
  });

  const unshared = 'no `shared` option: another process cannot open this store';

  group('persistence', (test) => {
    const body = async (): Promise<void> => {
      const shared = options.shared?.(store);
      if (shared === undefined) throw new Error('persistence needs the `shared` option');
      await store.createExecution(fullExecution('ex-0001'));
      await store.putCheckpoint(fullCheckpoint('ex-0001'));
      await store.putWait(fullWait('ex-0001', 'approve:1'));
      await store.putArtifact(newArtifact('ex-0001', 'output'));
      await store.putBlob(contentHash('"kept"'), '"kept"');
      await store.appendLogs([logLine('ex-0001', 0)]);
      const exports = (await import(/* @vite-ignore */ moduleSpecifier(shared.module))) as Record<string, unknown>;
      const open = exports[shared.exportName] as (argument: unknown) => Promise<Store> | Store;
      const reopened = await open(shared.argument);
      try {
        expect(await reopened.getExecution('ex-0001')).toStrictEqual(await store.getExecution('ex-0001'));
        expect(await reopened.listExecutions()).toStrictEqual(await store.listExecutions());
        expect(await reopened.listCheckpoints('ex-0001')).toStrictEqual([fullCheckpoint('ex-0001')]);
        expect(await reopened.listWaits('ex-0001')).toStrictEqual([fullWait('ex-0001', 'approve:1')]);
        expect(await reopened.listArtifacts('ex-0001')).toStrictEqual([newArtifact('ex-0001', 'output')]);
        expect(await reopened.getBlob(contentHash('"kept"'))).toBe('"kept"');
        expect(await reopened.listLogs('ex-0001')).toStrictEqual([logLine('ex-0001', 0)]);
        // And the other way round: a write through the second instance is seen by the first.
        const updated = await reopened.updateExecution('ex-0001', { status: 'completed' }, { version: 1 });
        expect(updated.ok).toBe(true);
        expect(await store.getExecution('ex-0001')).toMatchObject({ status: 'completed', version: 2 });
        await reopened.putCheckpoint({ ...fullCheckpoint('ex-0001'), status: 'failed' });
        expect(await store.getCheckpoint('ex-0001', fullCheckpoint('ex-0001').id)).toMatchObject({ status: 'failed' });
      } finally {
        await reopened.close();
      }
    };
    const unavailable = options.shared === undefined ? unshared : undefined;
    test('a second store opened on the same location sees every write, both ways', body, unavailable);
  });

  group(
    'multi-process',
    (test) => {
      const processes = 4;
      const define = (title: string, body: (shared: SharedStore) => Promise<void>): void => {
        const shared = options.shared;
        if (shared === undefined) test(title, () => Promise.resolve(), unshared);
        else test(title, () => body(shared(store)));
      };

      const increments = `${processes} processes × 50 compare-and-set increments: counter ${processes * 50}, version ${processes * 50 + 1}`;
      define(increments, async (shared) => {
        await store.createExecution({ ...newExecution('ex-0001'), metadata: { counter: 0 } });
        const task: WorkerTask = { kind: 'increment', executionId: 'ex-0001', times: 50 };
        const results = await runWorkers(
          shared,
          Array.from({ length: processes }, () => task),
        );
        // Every worker read version 1 before any wrote: one first write wins, the others must conflict —
        // so this checks compare-and-set refusing stale writes, not only writers taking turns.
        const conflicts = results.map((result) => result.count);
        expect(conflicts.filter((count) => count > 0).length, `conflicts per worker: ${conflicts.join(', ')}`).toBeGreaterThanOrEqual(processes - 1);
        const record = await store.getExecution('ex-0001');
        expect(record?.metadata?.counter).toBe(processes * 50);
        expect(record?.version).toBe(processes * 50 + 1);
      });

      define(`${processes} processes answering one wait at once: exactly one counts`, async (shared) => {
        await store.putWait(newWait('ex-0001', 'approve:1'));
        const results = await runWorkers(
          shared,
          Array.from({ length: processes }, (_, worker) => ({
            kind: 'resolve-wait',
            executionId: 'ex-0001',
            waitId: 'approve:1',
            resolvedBy: `worker-${worker}`,
          })),
        );
        const winners = results.flatMap((result, worker) => (result.count === 1 ? [worker] : []));
        expect(winners).toHaveLength(1);
        expect(await store.getWait('ex-0001', 'approve:1')).toMatchObject({
          status: 'resolved',
          resolvedBy: `worker-${winners[0]}`,
        });
      });

      const history = `${processes} processes writing checkpoints, blobs, logs and artifacts at once: nothing is lost`;
      define(history, async (shared) => {
        // Enough to cross segment boundaries of sharded stores (every 128 seq, every 500 log lines) while
        // all processes write, without thousands of writes: seq starts at 100.
        const [checkpoints, firstSeq, ownLines, sharedLines] = [40, 100, 13, 4];
        await runWorkers(
          shared,
          Array.from({ length: processes }, (_, worker) => ({
            kind: 'write-history',
            worker,
            workers: processes,
            executionId: executionId(worker + 1),
            sharedExecutionId: 'shared',
            checkpoints,
            firstSeq,
            ownLines,
            sharedLines,
          })),
        );
        const range = (length: number, start = 0): number[] => Array.from({ length }, (_, index) => start + index);
        for (let worker = 0; worker < processes; worker++) {
          const own = executionId(worker + 1);
          const records = await store.listCheckpoints(own);
          expect(records.map((record) => [record.seq, record.status])).toEqual(range(checkpoints, firstSeq).map((seq) => [seq, 'completed']));
          for (const record of [records[0], records.at(-1)]) {
            expect(await store.getBlob((record?.output as PayloadRef).hash)).not.toBeNull();
          }
          const lines = await store.listLogs(own);
          expect(lines.map((line) => line.fields?.n)).toEqual(range(checkpoints * ownLines));
        }
        const sharedLog = await store.listLogs('shared');
        expect(sharedLog).toHaveLength(processes * checkpoints * sharedLines);
        for (let worker = 0; worker < processes; worker++) {
          const numbers = sharedLog.filter((line) => line.fields?.worker === worker).map((line) => line.fields?.n);
          expect(numbers).toEqual(range(checkpoints * sharedLines));
        }
        const sharedCheckpoints = await store.listCheckpoints('shared');
        expect(sharedCheckpoints.map((record) => record.seq)).toEqual(range(processes * checkpoints, firstSeq));
        expect(await store.listArtifacts('shared')).toHaveLength(processes * 10);
        const sameContent = 'the same content from every worker';
        expect(await store.getBlob(contentHash(sameContent))).toBe(sameContent);
      });
    },
    60_000,
  );

  group('leases across processes', (test) => declareLeaseTests(test, () => store, options.shared, unshared), 60_000);

  const unknown = [...skipped.keys()].filter((name) => !defined.has(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `"${name}"`).join(', ');
    throw new Error(`runStoreConformance: skip names tests that do not exist: ${names}`);
  }
  if (unchosen.length > 0) {
    throw new Error(
      `runStoreConformance: these tests cannot run on this store: ${unchosen.join(', ')}. ` +
        'Give the `shared` option (how another process opens the store), or list them (or their group) in `skip` with the reason.',
    );
  }
}

type DeclareTest = (title: string, body: () => Promise<void>, unavailable?: string) => void;

type SharedStore = ReturnType<NonNullable<StoreConformanceOptions['shared']>>;

/** Starts one worker process per task, lets them all start writing at once, and returns their results. */
async function runWorkers(shared: SharedStore, tasks: readonly WorkerTask[]): Promise<WorkerResult[]> {
  const worker = compiledWorkerFile('conformance-worker');
  const children = tasks.map((task) => {
    const specification: WorkerSpecification = { ...shared, task };
    const child = spawn(process.execPath, [worker, JSON.stringify(specification)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (stdout.startsWith('ready\n')) resolve();
      };
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`a conformance worker exited before it was ready:\n${stderr}`)));
    });
    const done = new Promise<WorkerResult>((resolve, reject) => {
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`a conformance worker failed (exit code ${code}):\n${stderr}`));
        else resolve(JSON.parse(stdout.slice('ready\n'.length)) as WorkerResult);
      });
      child.on('error', reject);
    });
    // Either promise may settle after the other failed; neither should be reported as unhandled.
    ready.catch(() => undefined);
    done.catch(() => undefined);
    return { child, ready, done };
  });
  try {
    await Promise.all(children.map((child) => child.ready));
    for (const { child } of children) child.stdin.end('go\n');
    return await Promise.all(children.map((child) => child.done));
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function moduleSpecifier(module: string): string {
  return isAbsolute(module) ? pathToFileURL(module).href : module;
}

// ── records ─────────────────────────────────────────────────────────────────────────────────

function payload(text: string): PayloadRef {
  return { hash: contentHash(text), size: Buffer.byteLength(text) };
}

function executionId(n: number): string {
  return `ex-${String(n).padStart(4, '0')}`;
}

function newExecution(id: string, overrides: Partial<ExecutionRecord> = {}): Omit<ExecutionRecord, 'version' | 'updatedAt'> {
  return {
    id,
    flow: 'news-scout',
    status: 'running',
    input: payload('{"topic":"durable agents"}'),
    lease: null,
    sessions: 1,
    createdAt: baseTime,
    ...overrides,
  };
}

function fullExecution(id: string): Omit<ExecutionRecord, 'version' | 'updatedAt'> {
  return {
    ...newExecution(id),
    status: 'failed',
    output: payload('{"partial":true}'),
    error: {
      name: 'TypeError',
      message: 'fetch failed',
      stack: 'TypeError: fetch failed\n    at search (flow.ts:12:3)',
      code: 'ECONNRESET',
      payload: payload('{"name":"TypeError"}'),
    },
    codeVersion: 'git:4f2a9c1',
    replayOf: { executionId: 'ex-0000', from: 'search:2', overridden: ['search:1', 'publish:1/render:1'], hermetic: true },
    lease: { owner: 'runtime-1', host: 'laptop', pid: 1234, expiresAt: baseTime + 30_000 },
    cancelRequested: false,
    sessions: 2,
    metadata: { labels: { team: 'research', priority: 2 }, tags: ['a', 'b'], ratio: 0.25, enabled: true, nothing: null },
    endedAt: baseTime + 5_000,
  };
}

function fullCheckpoint(executionId: string): CheckpointRecord {
  return {
    executionId,
    id: 'publish:1/render:2',
    parentId: 'publish:1',
    name: 'render',
    kind: 'model',
    status: 'failed',
    seq: 7,
    fingerprint: 'sha256:abc',
    input: payload('{"prompt":"Write it"}'),
    output: payload('{"text":"Draft"}'),
    error: { name: 'Error', message: 'rate limited', code: 'rate_limit_exceeded' },
    attempts: 3,
    delivery: 'at-most-once',
    durable: false,
    metadata: { model: 'gpt-test', usage: { inputTokens: 12, outputTokens: 34 }, finishReason: 'stop', cached: null },
    startedAt: baseTime + 10,
    endedAt: baseTime + 20,
  };
}

function newWait(executionId: string, id: string): WaitRecord {
  return {
    executionId,
    id,
    name: id.split(':')[0] as string,
    status: 'pending',
    schema: { type: 'object' },
    createdAt: baseTime,
  };
}

function fullWait(executionId: string, id: string): WaitRecord {
  return {
    ...newWait(executionId, id),
    question: 'Publish this draft?',
    schema: {
      type: 'object',
      properties: { approved: { type: 'boolean' }, note: { type: 'string', maxLength: 200 } },
      required: ['approved'],
    },
    metadata: { channel: '#editors', reviewers: ['ana', 'bo'] },
    expiresAt: baseTime + 3_600_000,
  };
}

function newArtifact(executionId: string, name: string): ArtifactRecord {
  return { executionId, name, type: 'json', payload: payload(`"${name}"`), checkpointId: null, createdAt: baseTime };
}

function logLine(executionId: string, n: number): LogRecord {
  return {
    executionId,
    checkpointId: null,
    level: 'info',
    message: `line ${n}`,
    fields: { n },
    session: 1,
    time: baseTime + n,
  };
}

/** Changes a record in place, top level and nested, as careless caller code would. */
function mutate(record: object | null): void {
  if (record === null) return;
  const fields = record as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'object' && value !== null) {
      if (Array.isArray(value)) value.push('mutated');
      else (value as Record<string, unknown>).mutated = true;
    } else if (typeof value === 'string') fields[key] = `${value}-mutated`;
    else if (typeof value === 'number') fields[key] = value + 1;
  }
  fields.mutated = true;
}

/** 0 … count-1 in a fixed scrambled order (a stride coprime to count), so tests are repeatable. */
function scramble(count: number): number[] {
  let stride = Math.max(1, Math.floor(count / 3) + 1);
  while (greatestCommonDivisor(stride, count) !== 1) stride++;
  return Array.from({ length: count }, (_, index) => (index * stride + 1) % count);
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}
