import { expect } from 'vitest';
import type { BlobWrite, CheckpointRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { contentHash } from '../serialization/content-hash.js';
import { conformanceBaseTime, newCheckpoint } from './conformance-records.js';
import type { DeclareConformanceTest } from './deployment-conformance.js';

const baseTime = conformanceBaseTime;

/**
 * The conformance tests of `writeCheckpoints` and `getBlobs`, declared into a group of the store
 * conformance suite: the batched write a session records a call with, and the batched read a resume
 * reads its outputs with. (Their fencing is in the fencing group.) `store` returns the store of the
 * running test.
 */
export function checkpointWriteConformanceTests(test: DeclareConformanceTest, store: () => Store): void {
  test('writeCheckpoints stores the blobs and the records; both round-trip deep-equal', async () => {
    const output = blob('{"text":"Draft"}');
    const input = blob('{"prompt":"Write it"}');
    const record = { ...newCheckpoint('ex-0001', 0), status: 'completed', input: ref(input), output: ref(output), endedAt: baseTime + 5 } as const;
    const receipt = await store().writeCheckpoints({ blobs: [input, output], checkpoints: [record] });
    expect(receipt).toStrictEqual({ cancelRequested: false });
    expect(await store().getCheckpoint('ex-0001', record.id)).toStrictEqual(record);
    expect(await store().listCheckpoints('ex-0001')).toStrictEqual([record]);
    expect(await store().getBlob(output.hash)).toBe(output.content);
    expect(await store().getBlob(input.hash)).toBe(input.content);
  });

  test('writeCheckpoints replaces the record with the same id, keeping its place', async () => {
    await store().writeCheckpoints({ checkpoints: [newCheckpoint('ex-0001', 0), newCheckpoint('ex-0001', 1)] });
    const output = blob('{"ok":true}');
    const completed: CheckpointRecord = { ...newCheckpoint('ex-0001', 0), status: 'completed', output: ref(output), attempts: 2, endedAt: baseTime + 9 };
    await store().writeCheckpoints({ blobs: [output], checkpoints: [completed] });
    expect(await store().getCheckpoint('ex-0001', 'step:1')).toStrictEqual(completed);
    expect((await store().listCheckpoints('ex-0001')).map((record) => [record.id, record.status])).toEqual([
      ['step:1', 'completed'],
      ['step:2', 'running'],
    ]);
    // And a record written with putCheckpoint is replaced by writeCheckpoints, and the other way round.
    await store().putCheckpoint(newCheckpoint('ex-0001', 1));
    await store().writeCheckpoints({ checkpoints: [{ ...newCheckpoint('ex-0001', 1), status: 'failed' }] });
    await store().putCheckpoint({ ...newCheckpoint('ex-0001', 0), attempts: 3 });
    expect((await store().listCheckpoints('ex-0001')).map((record) => [record.id, record.status, record.attempts])).toEqual([
      ['step:1', 'running', 3],
      ['step:2', 'failed', 1],
    ]);
  });

  test('records of one batch apply in order: a later one with the same id wins', async () => {
    const running = newCheckpoint('ex-0001', 0);
    const completed: CheckpointRecord = { ...running, status: 'completed', endedAt: baseTime + 1 };
    await store().writeCheckpoints({ checkpoints: [running, newCheckpoint('ex-0001', 1), completed] });
    expect(await store().getCheckpoint('ex-0001', 'step:1')).toStrictEqual(completed);
    expect((await store().listCheckpoints('ex-0001')).map((record) => record.id)).toEqual(['step:1', 'step:2']);
  });

  test('a batch across segment boundaries lists in seq order, given out of order', async () => {
    const seqs = [300, 5, 127, 128, 0, 255, 256, 129];
    await store().writeCheckpoints({ checkpoints: seqs.map((seq) => newCheckpoint('ex-0001', seq)) });
    const listed = await store().listCheckpoints('ex-0001');
    expect(listed.map((record) => record.seq)).toEqual([...seqs].sort((a, b) => a - b));
    for (const seq of seqs) expect(await store().getCheckpoint('ex-0001', `step:${seq + 1}`)).toStrictEqual(newCheckpoint('ex-0001', seq));
  });

  test('an empty batch changes nothing; a batch of blobs only stores them', async () => {
    expect(await store().writeCheckpoints({ checkpoints: [] })).toStrictEqual({ cancelRequested: false });
    expect(await store().writeCheckpoints({ blobs: [], checkpoints: [] })).toStrictEqual({ cancelRequested: false });
    const only = blob('"blob only"');
    expect(await store().writeCheckpoints({ blobs: [only], checkpoints: [] })).toStrictEqual({ cancelRequested: false });
    expect(await store().getBlob(only.hash)).toBe(only.content);
    expect(await store().listCheckpoints('ex-0001')).toEqual([]);
  });

  test('blobs already stored, and the same blob twice in one batch, are kept once with their content', async () => {
    const same = blob('{"same":true}');
    await store().putBlob(same.hash, same.content);
    const other = blob('');
    await store().writeCheckpoints({ blobs: [same, other, same, other], checkpoints: [{ ...newCheckpoint('ex-0001', 0), output: ref(same) }] });
    await Promise.all([1, 2, 3].map(() => store().writeCheckpoints({ blobs: [same], checkpoints: [] })));
    expect(await store().getBlob(same.hash)).toBe(same.content);
    expect(await store().getBlob(other.hash)).toBe('');
  });

  test('a batch with records of two executions is refused and writes no record', async () => {
    const refused = await store()
      .writeCheckpoints({ checkpoints: [newCheckpoint('ex-0001', 0), newCheckpoint('ex-0002', 0)] })
      .then(
        () => new Error('a batch of two executions was accepted'),
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toMatch(/one execution/);
    expect(await store().listCheckpoints('ex-0001')).toEqual([]);
    expect(await store().listCheckpoints('ex-0002')).toEqual([]);
  });

  test('concurrent batches all land', async () => {
    await Promise.all(
      Array.from({ length: 60 }, (_, seq) => {
        const output = blob(JSON.stringify({ seq }));
        const executionId = seq % 2 === 0 ? 'ex-0001' : 'ex-0002';
        return store().writeCheckpoints({ blobs: [output], checkpoints: [{ ...newCheckpoint(executionId, seq), status: 'completed', output: ref(output) }] });
      }),
    );
    expect(await store().listCheckpoints('ex-0001')).toHaveLength(30);
    expect(await store().listCheckpoints('ex-0002')).toHaveLength(30);
    const outputs = await store().getBlobs(Array.from({ length: 60 }, (_, seq) => contentHash(JSON.stringify({ seq }))));
    expect(outputs.size).toBe(60);
  });

  test('getBlobs returns the stored blobs by hash; missing hashes are absent', async () => {
    const contents = ['{"text":"Grüße, 世界 — 🚀"}', '', JSON.stringify({ items: 'x'.repeat(200_000) })];
    for (const content of contents) await store().putBlob(contentHash(content), content);
    const missing = contentHash('never stored');
    const found = await store().getBlobs([missing, ...contents.map((content) => contentHash(content)), 'sha256:not-a-hash']);
    expect(found).toBeInstanceOf(Map);
    expect(found).toStrictEqual(new Map(contents.map((content) => [contentHash(content), content])));
    expect(found.has(missing)).toBe(false);
    expect(await store().getBlobs([])).toStrictEqual(new Map());
    expect(await store().getBlobs([missing])).toStrictEqual(new Map());
  });

  test('getBlobs with a hash given several times returns it once', async () => {
    const content = '"twice"';
    await store().putBlob(contentHash(content), content);
    const found = await store().getBlobs([contentHash(content), contentHash(content), contentHash(content)]);
    expect([...found]).toStrictEqual([[contentHash(content), content]]);
  });

  test('getBlobs reads 10,000 blobs in one call', async () => {
    const contents = Array.from({ length: 10_000 }, (_, n) => JSON.stringify({ n, text: `output ${n}` }));
    // Written in batches, as sessions do, with a few hashes that were never stored mixed into the read.
    for (let start = 0; start < contents.length; start += 500) {
      await store().writeCheckpoints({ blobs: contents.slice(start, start + 500).map(blob), checkpoints: [] });
    }
    const missing = Array.from({ length: 10 }, (_, n) => contentHash(`missing ${n}`));
    const found = await store().getBlobs([...missing, ...contents.map((content) => contentHash(content))]);
    expect(found.size).toBe(10_000);
    for (const n of [0, 1, 4_999, 9_999]) expect(found.get(contentHash(contents[n]!))).toBe(contents[n]);
    for (const hash of missing) expect(found.has(hash)).toBe(false);
  });

  test('mutating a batch after handing it to the store, or a returned map, changes nothing in the store', async () => {
    const output = blob('{"kept":true}');
    const record: CheckpointRecord = { ...newCheckpoint('ex-0001', 0), metadata: { tags: ['a'] } };
    const expected = structuredClone(record);
    const blobs = [{ ...output }];
    await store().writeCheckpoints({ blobs, checkpoints: [record] });
    (record.metadata!.tags as string[]).push('mutated');
    (record as { status: string }).status = 'failed';
    (blobs[0] as { content: string }).content = 'mutated';
    expect(await store().getCheckpoint('ex-0001', record.id)).toStrictEqual(expected);
    const found = await store().getBlobs([output.hash]);
    found.set(output.hash, 'mutated');
    expect(await store().getBlob(output.hash)).toBe(output.content);
  });
}

function blob(content: string): BlobWrite {
  return { hash: contentHash(content), content };
}

function ref(written: BlobWrite): { hash: string; size: number } {
  return { hash: written.hash, size: Buffer.byteLength(written.content) };
}
