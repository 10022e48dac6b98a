import { expect } from 'vitest';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import type { ArtifactRecord, CheckpointRecord, CheckpointWrite, Lease, LeaseFence, LogRecord, WaitRecord } from '../store/records.js';
import { contentHash } from '../serialization/content-hash.js';
import type { Store } from '../store/store.js';
import type { DeclareConformanceTest } from './deployment-conformance.js';

const baseTime = 1_750_000_000_000;
const executionId = 'ex-fenced';

/** The first holder, whose lease is taken over in the tests: its writes are the stale ones. */
const stale: LeaseFence = { owner: 'worker-a', session: 1 };
/** The holder after the takeover. */
const current: LeaseFence = { owner: 'worker-b', session: 2 };

/**
 * The conformance tests of lease fencing, declared into a group of the store conformance suite: a
 * session's writes carry its lease, and a store refuses those of a holder whose lease was taken over,
 * writing nothing. `store` returns the store of the running test.
 */
export function fencingConformanceTests(test: DeclareConformanceTest, store: () => Store): void {
  test("the holder's fenced writes of every kind apply", async () => {
    await createHeld(store(), stale);
    await writeAll(store(), 'a', stale);
    expect(await readAll(store())).toStrictEqual(expectedAfter('a'));
    const updated = await store().updateExecution(executionId, { metadata: { step: 'a' } }, { fence: stale });
    expect(updated).toMatchObject({ ok: true, record: { metadata: { step: 'a' }, version: 3 } });
  });

  test('after a takeover, the stale holder is refused each kind of write, and nothing is overwritten', async () => {
    await createHeld(store(), stale);
    await writeAll(store(), 'a', stale);
    await takeOver(store(), current);
    await writeAll(store(), 'b', current);
    const before = await readAll(store());
    const execution = await store().getExecution(executionId);

    for (const [kind, write] of writes('stale', stale)) {
      const refused = await write(store()).then(
        () => new Error(`the stale holder's ${kind} write was applied`),
        (error: unknown) => error,
      );
      expect(LeaseLostError.isInstance(refused), `${kind}: ${String(refused)}`).toBe(true);
      expect(refused).toMatchObject({ executionId, fence: stale, current: { owner: current.owner, session: current.session, status: 'running' } });
    }
    // Even with the version it just read, an update from the stale holder is refused by its fence.
    const read = (await store().getExecution(executionId))!;
    await expect(store().updateExecution(executionId, { status: 'failed', lease: null }, { version: read.version, fence: stale })).rejects.toSatisfy(
      LeaseLostError.isInstance,
    );

    expect(await readAll(store())).toStrictEqual(before);
    expect(await store().getExecution(executionId)).toStrictEqual(execution);
    expect(before).toStrictEqual(expectedAfter('a', 'b'));
  });

  test("the same owner's earlier session is refused once the owner claimed the execution again", async () => {
    await createHeld(store(), stale);
    await takeOver(store(), { owner: stale.owner, session: 2 });
    await expect(store().putCheckpoint(checkpoint('a'), stale)).rejects.toSatisfy(LeaseLostError.isInstance);
    await store().putCheckpoint(checkpoint('a'), { owner: stale.owner, session: 2 });
    expect(await store().listCheckpoints(executionId)).toStrictEqual([checkpoint('a')]);
  });

  test('a released lease fences every write; writes without a fence are not checked', async () => {
    await createHeld(store(), stale);
    const read = (await store().getExecution(executionId))!;
    await store().updateExecution(executionId, { status: 'completed', lease: null }, { version: read.version, fence: stale });
    await expect(store().putArtifact(artifact('late'), stale)).rejects.toSatisfy(LeaseLostError.isInstance);
    await expect(store().updateExecution(executionId, { status: 'failed' }, { fence: stale })).rejects.toSatisfy(LeaseLostError.isInstance);
    expect(await store().listArtifacts(executionId)).toEqual([]);
    expect((await store().getExecution(executionId))?.status).toBe('completed');
    // Operators and tools (an import, `keel store copy`) write without a fence.
    await store().putArtifact(artifact('imported'));
    expect(await store().listArtifacts(executionId)).toStrictEqual([artifact('imported')]);
  });

  test('a stale writeCheckpoints writes no record of its batch and throws LeaseLostError', async () => {
    await createHeld(store(), stale);
    await store().writeCheckpoints(batch('a'), stale);
    await takeOver(store(), current);
    const refused = await store()
      .writeCheckpoints({ ...batch('stale'), checkpoints: [checkpoint('stale'), ...batch('stale').checkpoints] }, stale)
      .catch((error: unknown) => error);
    expect(LeaseLostError.isInstance(refused), String(refused)).toBe(true);
    expect(refused).toMatchObject({ executionId, fence: stale, current: { owner: current.owner, session: current.session } });
    expect(await store().listCheckpoints(executionId)).toStrictEqual(batch('a').checkpoints);
  });

  test("writeCheckpoints' receipt says whether a cancel was requested, read in the fenced step", async () => {
    await createHeld(store(), stale);
    expect(await store().writeCheckpoints(batch('a'), stale)).toStrictEqual({ cancelRequested: false });
    // What `cancel` does while another process runs the body: a compare-and-set without a fence.
    const read = (await store().getExecution(executionId))!;
    expect((await store().updateExecution(executionId, { cancelRequested: true }, { version: read.version })).ok).toBe(true);
    // A cancel request does not refuse the holder's write: the holder stops once it has seen the request.
    expect(await store().writeCheckpoints(batch('b'), stale)).toStrictEqual({ cancelRequested: true });
    expect(await store().listCheckpoints(executionId)).toStrictEqual(batch('b').checkpoints);
    // Without a fence nothing is read, so the receipt says false.
    expect(await store().writeCheckpoints(batch('c'))).toStrictEqual({ cancelRequested: false });
  });

  test('a fenced write to an execution that does not exist is refused', async () => {
    const error = await store()
      .putWait(wait('ghost'), stale)
      .catch((caught: unknown) => caught);
    expect(LeaseLostError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ executionId, current: undefined });
    expect(await store().listWaits(executionId)).toEqual([]);
  });
}

type Write = (store: Store) => Promise<unknown>;

/** One write of each kind a session makes, by `writer`, carrying `fence`. */
function writes(writer: string, fence: LeaseFence): [kind: string, write: Write][] {
  return [
    ['checkpoint', (store) => store.putCheckpoint(checkpoint(writer), fence)],
    ['checkpoint batch', (store) => store.writeCheckpoints(batch(writer), fence)],
    ['wait', (store) => store.putWait(wait(writer), fence)],
    ['artifact', (store) => store.putArtifact(artifact(writer), fence)],
    ['log', (store) => store.appendLogs([logLine(writer, 0), logLine(writer, 1)], fence)],
    ['execution', (store) => store.updateExecution(executionId, { metadata: { writer } }, { fence })],
  ];
}

async function writeAll(store: Store, writer: string, fence: LeaseFence): Promise<void> {
  for (const [, write] of writes(writer, fence)) await write(store);
}

/** The records {@link writeAll} leaves after the given writers, in order (each overwrites the one before). */
function expectedAfter(...writers: string[]) {
  const last = writers.at(-1)!;
  return {
    checkpoints: [checkpoint(last), ...batch(last).checkpoints],
    waits: [wait(last)],
    artifacts: [artifact(last)],
    logs: writers.flatMap((writer) => [logLine(writer, 0), logLine(writer, 1)]),
  };
}

async function readAll(store: Store) {
  return {
    checkpoints: await store.listCheckpoints(executionId),
    waits: await store.listWaits(executionId),
    artifacts: await store.listArtifacts(executionId),
    logs: await store.listLogs(executionId),
  };
}

function lease(owner: string): Lease {
  return { owner, host: 'conformance', pid: 1, expiresAt: baseTime + 30_000 };
}

async function createHeld(store: Store, fence: LeaseFence): Promise<void> {
  await store.createExecution({
    id: executionId,
    flow: 'fenced',
    status: 'running',
    input: { hash: 'sha256:00', size: 2 },
    lease: lease(fence.owner),
    sessions: fence.session,
    createdAt: baseTime,
  });
}

/** What recovery does: claims the execution by compare-and-set, for the next session. */
async function takeOver(store: Store, fence: LeaseFence): Promise<void> {
  const read = (await store.getExecution(executionId))!;
  const claimed = await store.updateExecution(executionId, { lease: lease(fence.owner), sessions: fence.session }, { version: read.version });
  expect(claimed.ok).toBe(true);
}

/** The same checkpoint id each writer puts, with its own output. */
function checkpoint(writer: string): CheckpointRecord {
  return {
    executionId,
    id: 'publish:1',
    parentId: null,
    name: 'publish',
    kind: 'tool',
    status: 'completed',
    seq: 0,
    output: { hash: `sha256:${writer}`, size: writer.length },
    attempts: 1,
    delivery: 'at-least-once',
    durable: true,
    startedAt: baseTime,
    endedAt: baseTime + 1,
  };
}

/** A batch of one completed checkpoint (after {@link checkpoint}'s) and its output blob, by `writer`. */
function batch(writer: string): CheckpointWrite {
  const content = JSON.stringify({ writer });
  return {
    blobs: [{ hash: contentHash(content), content }],
    checkpoints: [
      {
        ...checkpoint(writer),
        id: 'review:1',
        name: 'review',
        kind: 'step',
        seq: 1,
        output: { hash: contentHash(content), size: Buffer.byteLength(content) },
      },
    ],
  };
}

function wait(writer: string): WaitRecord {
  return { executionId, id: 'approve:1', name: 'approve', status: 'pending', question: `from ${writer}`, schema: { type: 'boolean' }, createdAt: baseTime };
}

function artifact(writer: string): ArtifactRecord {
  return { executionId, name: 'report', type: 'text', payload: { hash: `sha256:${writer}`, size: writer.length }, checkpointId: null, createdAt: baseTime };
}

function logLine(writer: string, n: number): LogRecord {
  return { executionId, checkpointId: null, level: 'info', message: `${writer} ${n}`, session: 1, time: baseTime + n };
}
