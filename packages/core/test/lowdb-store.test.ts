import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { contentHash } from '../src/serialization/content-hash.js';
import { lowdbStore } from '../src/store/lowdb/lowdb-store.js';
import type { CheckpointRecord, ExecutionRecord, LogRecord } from '../src/store/records.js';
import type { Store } from '../src/store/store.js';
import { runStoreConformance } from '../src/testing.js';

// The multi-process tests run compiled code in child processes: `pnpm --filter @keel/core build` first.
const builtStore = fileURLToPath(new URL('../dist/store/index.js', import.meta.url));

const directories: string[] = [];
function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'keel-lowdb-'));
  directories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

runStoreConformance({
  createStore: () => lowdbStore(freshDirectory()),
  shared: (store) => ({ module: builtStore, exportName: 'lowdbStore', argument: store.location }),
});

describe('lowdb store files', () => {
  /** Runs `body` with a store in a fresh folder and closes it afterwards. */
  async function withStore(body: (store: Store, directory: string) => Promise<void>, options = {}): Promise<void> {
    const directory = freshDirectory();
    const store = lowdbStore(directory, options);
    try {
      await body(store, directory);
    } finally {
      await store.close();
    }
  }

  const execution = (id: string): Omit<ExecutionRecord, 'version' | 'updatedAt'> => ({
    id,
    flow: 'news-scout',
    status: 'running',
    input: { hash: contentHash('{}'), size: 2 },
    lease: null,
    sessions: 1,
    createdAt: 1_750_000_000_000,
  });
  const checkpoint = (executionId: string, seq: number): CheckpointRecord => ({
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
    startedAt: 1_750_000_000_000,
  });
  const line = (executionId: string, n: number): LogRecord => ({
    executionId,
    checkpointId: null,
    level: 'info',
    message: `line ${n}`,
    session: 1,
    time: 1_750_000_000_000 + n,
  });
  const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
  /** The parsed lines of a JSON Lines file (which ends with a newline). */
  const readLines = (file: string): unknown[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(0, -1)
      .map((text) => JSON.parse(text) as unknown);
  /** The pack file that holds the blob `hash`. */
  const packOf = (directory: string, hash: string): string => join(directory, 'blobs', `${hash.slice('sha256:'.length, 'sha256:'.length + 2)}.pack`);
  /** `count` blob contents whose hashes share their first two hex digits, so they share a pack. */
  const sameBucket = (count: number): string[] => {
    const contents: string[] = [];
    for (let index = 0; contents.length < count; index++) {
      const content = JSON.stringify({ index });
      if (contents.length === 0 || contentHash(content).slice(0, 9) === contentHash(contents[0]!).slice(0, 9)) contents.push(content);
    }
    return contents;
  };

  it('lays out the folder as documented: marker, one folder per execution, bounded segments, blobs by hash', async () => {
    await withStore(async (store, directory) => {
      expect(existsSync(join(directory, 'keel-store.json'))).toBe(false);
      await store.createExecution(execution('ex-0001'));
      expect(readJson(join(directory, 'keel-store.json'))).toEqual({ format: 'keel-lowdb', version: 3 });
      for (let seq = 0; seq < 300; seq++) await store.putCheckpoint(checkpoint('ex-0001', seq));
      const lines = Array.from({ length: 1234 }, (_, n) => line('ex-0001', n));
      await store.appendLogs(lines.slice(0, 700));
      await store.appendLogs(lines.slice(700));
      await store.putWait({
        executionId: 'ex-0001',
        id: 'approve:1',
        name: 'approve',
        status: 'pending',
        schema: {},
        createdAt: 1,
      });
      await store.putArtifact({
        executionId: 'ex-0001',
        name: 'output',
        type: 'json',
        payload: { hash: contentHash('1'), size: 1 },
        checkpointId: null,
        createdAt: 1,
      });
      const hash = contentHash('{"blob":true}');
      await store.putBlob(hash, '{"blob":true}');

      const folder = join(directory, 'executions', 'ex-0001');
      expect(
        readdirSync(folder)
          .filter((name) => !name.startsWith('.'))
          .sort(),
      ).toEqual([
        'artifacts.json',
        'checkpoints-0.jsonl',
        'checkpoints-1.jsonl',
        'checkpoints-2.jsonl',
        'execution.json',
        'logs-0.json',
        'logs-1.json',
        'logs-2.json',
        'waits.json',
      ]);
      expect([0, 1, 2].map((segment) => readLines(join(folder, `checkpoints-${segment}.jsonl`)).length)).toEqual([128, 128, 44]);
      expect([0, 1, 2].map((segment) => (readJson(join(folder, `logs-${segment}.json`)) as unknown[]).length)).toEqual([500, 500, 234]);
      expect(readLines(join(folder, 'checkpoints-1.jsonl'))[0]).toMatchObject({ id: 'step:129', seq: 128 });
      // A record put again is a new line, and the last line of an id wins.
      await store.putCheckpoint({ ...checkpoint('ex-0001', 3), status: 'failed' });
      expect(readLines(join(folder, 'checkpoints-0.jsonl'))).toHaveLength(129);
      expect(await store.getCheckpoint('ex-0001', 'step:4')).toMatchObject({ status: 'failed' });
      expect(await lowdbStore(directory).getCheckpoint('ex-0001', 'step:4')).toMatchObject({ status: 'failed' });
      expect(readJson(join(folder, 'execution.json'))).toMatchObject({ id: 'ex-0001', version: 1 });
      const hex = hash.slice('sha256:'.length);
      expect(readLines(packOf(directory, hash))).toEqual([{ hash, content: '{"blob":true}' }]);
      expect(readdirSync(join(directory, 'blobs'))).toEqual([`${hex.slice(0, 2)}.pack`]);
      // No lock is left behind once the writes are done.
      expect(readdirSync(folder).filter((name) => name.endsWith('.lock'))).toEqual([]);
    });
  });

  it('a record put again with another seq moves to the segment of its new seq, and is listed once', async () => {
    await withStore(async (store, directory) => {
      await store.putCheckpoint(checkpoint('ex-0001', 5));
      await store.putCheckpoint({ ...checkpoint('ex-0001', 5), seq: 200 });
      for (const reader of [store, lowdbStore(directory)]) {
        expect((await reader.listCheckpoints('ex-0001')).map((record) => [record.id, record.seq])).toEqual([['step:6', 200]]);
        expect(await reader.getCheckpoint('ex-0001', 'step:6')).toMatchObject({ seq: 200 });
      }
      const folder = join(directory, 'executions', 'ex-0001');
      expect(readLines(join(folder, 'checkpoints-0.jsonl'))).toEqual([expect.objectContaining({ id: 'step:6', seq: 5 }), { id: 'step:6', removed: true }]);
    });
  });

  it('reads from a folder that does not exist without creating it', async () => {
    const directory = join(freshDirectory(), 'not-yet');
    const store = lowdbStore(directory);
    expect(await store.getExecution('ex-0001')).toBeNull();
    expect(await store.listExecutions()).toEqual([]);
    expect(await store.listLogs('ex-0001')).toEqual([]);
    expect(await store.updateExecution('ex-0001', { status: 'failed' })).toEqual({ ok: false, reason: 'not-found' });
    await store.close();
    expect(existsSync(directory)).toBe(false);
  });

  it('refuses execution ids that are not safe folder names, and finds nothing under them', async () => {
    await withStore(async (store, directory) => {
      for (const id of ['../escape', 'a/b', '.hidden', '', 'a b', 'x'.repeat(201)]) {
        await expect(store.createExecution(execution(id))).rejects.toThrow(/cannot be an execution id/);
        await expect(store.putCheckpoint(checkpoint(id, 0))).rejects.toThrow(/cannot be an execution id/);
        await expect(store.appendLogs([line('ex-0001', 0), line(id, 0)])).rejects.toThrow(/cannot be an execution id/);
        expect(await store.getExecution(id)).toBeNull();
        expect(await store.listCheckpoints(id)).toEqual([]);
      }
      // The append with a bad id wrote nothing, not even its good lines.
      expect(await store.listLogs('ex-0001')).toEqual([]);
      expect(existsSync(join(directory, 'escape'))).toBe(false);
    });
  });

  it('sees a document changed by hand (the cache checks the file)', async () => {
    await withStore(async (store, directory) => {
      await store.createExecution(execution('ex-0001'));
      expect(await store.getExecution('ex-0001')).toMatchObject({ flow: 'news-scout' });
      const file = join(directory, 'executions', 'ex-0001', 'execution.json');
      writeFileSync(file, JSON.stringify({ ...(readJson(file) as object), flow: 'edited' }));
      expect(await store.getExecution('ex-0001')).toMatchObject({ flow: 'edited' });
      expect(await store.updateExecution('ex-0001', { status: 'completed' }, { version: 1 })).toMatchObject({
        ok: true,
        record: { flow: 'edited', status: 'completed', version: 2 },
      });
    });
  });

  describe('a corrupted file fails with StoreCorruptedError naming it, and is left byte for byte', () => {
    const corruptions = {
      'invalid JSON': '{"id":"ex-0001","flow":',
      'an empty file': '',
      'a wrong shape': '{"not":"what the store wrote"}',
    };

    for (const [kind, content] of Object.entries(corruptions)) {
      it(`execution.json with ${kind}`, async () => {
        await withStore(async (store, directory) => {
          await store.createExecution(execution('ex-0001'));
          await store.createExecution(execution('ex-0002'));
          const file = join(directory, 'executions', 'ex-0001', 'execution.json');
          writeFileSync(file, content);
          const corrupted = { name: 'StoreCorruptedError', location: file };
          await expect(store.getExecution('ex-0001')).rejects.toMatchObject(corrupted);
          await expect(store.updateExecution('ex-0001', { status: 'failed' })).rejects.toMatchObject(corrupted);
          await expect(store.listExecutions()).rejects.toMatchObject(corrupted);
          await expect(store.createExecution(execution('ex-0001'))).rejects.toMatchObject(corrupted);
          await expect(store.getExecution('ex-0001')).rejects.toThrow(file);
          expect(readFileSync(file, 'utf8')).toBe(content);
          // The other executions are still readable.
          expect(await store.getExecution('ex-0002')).toMatchObject({ id: 'ex-0002' });
        });
      });

      it(`a format-1 checkpoint segment with ${kind}`, async () => {
        await withStore(async (store, directory) => {
          for (let seq = 0; seq < 130; seq++) await store.putCheckpoint(checkpoint('ex-0001', seq));
          const file = join(directory, 'executions', 'ex-0001', 'checkpoints-0.json');
          writeFileSync(file, content);
          const corrupted = { name: 'StoreCorruptedError', location: file };
          await expect(store.listCheckpoints('ex-0001')).rejects.toMatchObject(corrupted);
          await expect(store.getCheckpoint('ex-0001', 'step:1')).rejects.toMatchObject(corrupted);
          await expect(lowdbStore(directory).putCheckpoint(checkpoint('ex-0001', 5))).rejects.toMatchObject(corrupted);
          expect(readFileSync(file, 'utf8')).toBe(content);
          // Records in the other segment are still there.
          expect(await store.getCheckpoint('ex-0001', 'step:130')).toMatchObject({ seq: 129 });
        });
      });
    }

    for (const [kind, damaged] of Object.entries({ 'invalid JSON': '{"executionId":"ex-0001","id":', 'a wrong shape': '{"not":"a record"}' })) {
      it(`a checkpoint segment with a line of ${kind} before its last`, async () => {
        await withStore(async (store, directory) => {
          for (let seq = 0; seq < 130; seq++) await store.putCheckpoint(checkpoint('ex-0001', seq));
          const file = join(directory, 'executions', 'ex-0001', 'checkpoints-0.jsonl');
          const lines = readFileSync(file, 'utf8').split('\n');
          lines[2] = damaged;
          const content = lines.join('\n');
          writeFileSync(file, content);
          const corrupted = { name: 'StoreCorruptedError', location: file };
          for (const reader of [store, lowdbStore(directory)]) {
            await expect(reader.listCheckpoints('ex-0001')).rejects.toMatchObject(corrupted);
            await expect(reader.getCheckpoint('ex-0001', 'step:1')).rejects.toThrow(/line 3 /);
          }
          await expect(lowdbStore(directory).putCheckpoint(checkpoint('ex-0001', 5))).rejects.toMatchObject(corrupted);
          expect(readFileSync(file, 'utf8')).toBe(content);
          expect(await store.getCheckpoint('ex-0001', 'step:130')).toMatchObject({ seq: 129 });
        });
      });
    }

    it('a checkpoint segment whose last append was cut short: readers skip it, the next append cuts it off', async () => {
      await withStore(async (store, directory) => {
        for (let seq = 0; seq < 3; seq++) await store.putCheckpoint(checkpoint('ex-0001', seq));
        const file = join(directory, 'executions', 'ex-0001', 'checkpoints-0.jsonl');
        const whole = readFileSync(file, 'utf8');
        // What a process killed (or a machine stopped) in the middle of an append leaves.
        const torn = JSON.stringify(checkpoint('ex-0001', 3)).slice(0, 40);
        writeFileSync(file, whole + torn);
        for (const reader of [store, lowdbStore(directory)]) {
          expect((await reader.listCheckpoints('ex-0001')).map((record) => record.id)).toEqual(['step:1', 'step:2', 'step:3']);
        }
        await lowdbStore(directory).putCheckpoint(checkpoint('ex-0001', 4));
        expect(readFileSync(file, 'utf8')).toBe(`${whole}${JSON.stringify(checkpoint('ex-0001', 4))}\n`);
        expect((await store.listCheckpoints('ex-0001')).map((record) => record.id)).toEqual(['step:1', 'step:2', 'step:3', 'step:5']);
      });
    });

    it('a checkpoint segment whose whole last record lost its newline (an edit by hand) keeps it', async () => {
      await withStore(async (store, directory) => {
        for (let seq = 0; seq < 2; seq++) await store.putCheckpoint(checkpoint('ex-0001', seq));
        const file = join(directory, 'executions', 'ex-0001', 'checkpoints-0.jsonl');
        writeFileSync(file, readFileSync(file, 'utf8').trimEnd());
        expect((await lowdbStore(directory).listCheckpoints('ex-0001')).map((record) => record.id)).toEqual(['step:1', 'step:2']);
        await store.putCheckpoint(checkpoint('ex-0001', 2));
        expect(readLines(file).map((record) => (record as CheckpointRecord).id)).toEqual(['step:1', 'step:2', 'step:3']);
      });
    });

    it('a log segment, a waits file and an artifacts file', async () => {
      await withStore(async (store, directory) => {
        await store.appendLogs([line('ex-0001', 0)]);
        await store.putWait({ executionId: 'ex-0001', id: 'a:1', name: 'a', status: 'pending', schema: {}, createdAt: 1 });
        await store.putArtifact({
          executionId: 'ex-0001',
          name: 'output',
          type: 'json',
          payload: { hash: contentHash('1'), size: 1 },
          checkpointId: null,
          createdAt: 1,
        });
        const folder = join(directory, 'executions', 'ex-0001');
        for (const name of ['logs-0.json', 'waits.json', 'artifacts.json']) writeFileSync(join(folder, name), '[{"trunc');
        const corrupted = (name: string) => ({ name: 'StoreCorruptedError', location: join(folder, name) });
        await expect(store.appendLogs([line('ex-0001', 1)])).rejects.toMatchObject(corrupted('logs-0.json'));
        await expect(store.listLogs('ex-0001')).rejects.toMatchObject(corrupted('logs-0.json'));
        await expect(store.resolveWait('ex-0001', 'a:1', { input: { hash: contentHash('1'), size: 1 }, resolvedAt: 2 })).rejects.toMatchObject(
          corrupted('waits.json'),
        );
        await expect(store.listArtifacts('ex-0001')).rejects.toMatchObject(corrupted('artifacts.json'));
        for (const name of ['logs-0.json', 'waits.json', 'artifacts.json']) {
          expect(readFileSync(join(folder, name), 'utf8')).toBe('[{"trunc');
        }
      });
    });

    it('a blob whose content no longer matches its hash', async () => {
      await withStore(async (store, directory) => {
        const content = '{"answer":42}';
        const hash = contentHash(content);
        await store.putBlob(hash, content);
        const pack = packOf(directory, hash);
        const damaged = readFileSync(pack, 'utf8').replace('42', '43');
        writeFileSync(pack, damaged);
        const fresh = lowdbStore(directory);
        for (const reader of [store, fresh]) {
          await expect(reader.getBlob(hash)).rejects.toMatchObject({ name: 'StoreCorruptedError', location: pack });
          await expect(reader.getBlobs([hash])).rejects.toThrow(/line 1 \(blob sha256:[0-9a-f]+\) holds content that hashes to/);
        }
        await fresh.close();
        expect(readFileSync(pack, 'utf8')).toBe(damaged);
        // The put wrote no blob file of its own; a blob file of an older Keel is checked the same way.
        expect(existsSync(join(directory, 'blobs', hash.slice(7, 9), hash.slice(7)))).toBe(false);
        const other = contentHash('{"answer":44}');
        mkdirSync(join(directory, 'blobs', other.slice(7, 9)), { recursive: true });
        writeFileSync(join(directory, 'blobs', other.slice(7, 9), other.slice(7)), '{"answer":45}');
        await expect(store.getBlob(other)).rejects.toMatchObject({
          name: 'StoreCorruptedError',
          location: join(directory, 'blobs', other.slice(7, 9), other.slice(7)),
        });
      });
    });

    it('a damaged line before the last of a pack fails its readers and writers, and the pack is left as it is', async () => {
      await withStore(async (store, directory) => {
        const [first, second, third] = sameBucket(3);
        await store.putBlob(contentHash(first!), first!);
        await store.putBlob(contentHash(second!), second!);
        const pack = packOf(directory, contentHash(first!));
        const damaged = readFileSync(pack, 'utf8').replace('{"hash":"sha256:', '{"hash":"md5:');
        writeFileSync(pack, damaged);
        const fresh = lowdbStore(directory);
        const corrupted = { name: 'StoreCorruptedError', location: pack };
        await expect(fresh.getBlob(contentHash(second!))).rejects.toMatchObject(corrupted);
        await expect(fresh.getBlob(contentHash(second!))).rejects.toThrow(/line 1 is not a blob/);
        await expect(fresh.putBlob(contentHash(third!), third!)).rejects.toMatchObject(corrupted);
        await expect(store.putBlob(contentHash(third!), third!)).rejects.toMatchObject(corrupted);
        await fresh.close();
        expect(readFileSync(pack, 'utf8')).toBe(damaged);
      });
    });

    it('a torn last line of a pack (an append cut short) is skipped by readers and cut off by the next append', async () => {
      await withStore(async (store, directory) => {
        const [first, torn, next] = sameBucket(3);
        const hash = (content: string): string => contentHash(content);
        await store.putBlob(hash(first!), first!);
        const pack = packOf(directory, hash(first!));
        const whole = readFileSync(pack, 'utf8');
        // What a process killed in the middle of its append leaves: the start of the line.
        const line = (content: string): string => `${JSON.stringify({ hash: hash(content), content })}\n`;
        writeFileSync(pack, whole + line(torn!).slice(0, 40));
        const fresh = lowdbStore(directory);
        expect(await fresh.getBlob(hash(torn!))).toBeNull();
        expect(await store.getBlob(hash(torn!))).toBeNull();
        expect(await fresh.getBlob(hash(first!))).toBe(first);
        await fresh.putBlob(hash(next!), next!);
        expect(readFileSync(pack, 'utf8')).toBe(whole + line(next!));
        expect(await store.getBlob(hash(next!))).toBe(next);
        // A whole line that lacks only its newline holds its blob, and the next append ends it first.
        writeFileSync(pack, whole + line(torn!).slice(0, -1));
        const other = lowdbStore(directory);
        expect(await other.getBlob(hash(torn!))).toBe(torn);
        await other.putBlob(hash(next!), next!);
        expect(readFileSync(pack, 'utf8')).toBe(whole + line(torn!) + line(next!));
        await other.close();
        await fresh.close();
      });
    });
  });

  it('refuses a blob whose hash is not the content hash', async () => {
    await withStore(async (store) => {
      await expect(store.putBlob(contentHash('a'), 'b')).rejects.toThrow(/another hash/);
      await expect(store.putBlob('md5:abc', 'b')).rejects.toThrow(/not a blob hash/);
      expect(await store.getBlob('md5:abc')).toBeNull();
    });
  });

  describe('format version', () => {
    it('refuses a folder written in a newer format, and changes nothing', async () => {
      const directory = freshDirectory();
      const marker = join(directory, 'keel-store.json');
      writeFileSync(marker, JSON.stringify({ format: 'keel-lowdb', version: 4 }));
      const store = lowdbStore(directory);
      const refused = { name: 'StoreFormatError', location: marker, version: 4, supportedVersion: 3 };
      await expect(store.getExecution('ex-0001')).rejects.toMatchObject(refused);
      await expect(store.createExecution(execution('ex-0001'))).rejects.toMatchObject(refused);
      await expect(store.listExecutions()).rejects.toThrow(/newer Keel/);
      await store.close();
      expect(readdirSync(directory)).toEqual(['keel-store.json']);
      expect(readJson(marker)).toEqual({ format: 'keel-lowdb', version: 4 });
    });

    it('refuses a folder whose marker names another format', async () => {
      const directory = freshDirectory();
      const marker = join(directory, 'keel-store.json');
      writeFileSync(marker, JSON.stringify({ format: 'something-else', version: 1 }));
      const store = lowdbStore(directory);
      await expect(store.putBlob(contentHash('1'), '1')).rejects.toMatchObject({ name: 'StoreCorruptedError', location: marker });
      await store.close();
    });

    it('opens a folder in the current format', async () => {
      const directory = freshDirectory();
      writeFileSync(join(directory, 'keel-store.json'), JSON.stringify({ format: 'keel-lowdb', version: 3 }));
      await withStoreAt(directory, async (store) => {
        await store.createExecution(execution('ex-0001'));
        expect(await store.getExecution('ex-0001')).toMatchObject({ id: 'ex-0001' });
      });
    });

    it('reads a format-1 folder as it is, and continues its executions after raising the marker', async () => {
      // What Keel before format 2 left: each checkpoint segment one JSON array, rewritten on every write.
      const directory = freshDirectory();
      const marker = join(directory, 'keel-store.json');
      writeFileSync(marker, JSON.stringify({ format: 'keel-lowdb', version: 1 }));
      const folder = join(directory, 'executions', 'ex-0001');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'execution.json'), JSON.stringify({ ...execution('ex-0001'), version: 1, updatedAt: 1_750_000_000_000 }));
      const segment = `[\n${[0, 1, 2].map((seq) => JSON.stringify({ ...checkpoint('ex-0001', seq), status: seq === 2 ? 'running' : 'completed' })).join(',\n')}\n]\n`;
      writeFileSync(join(folder, 'checkpoints-0.json'), segment);
      writeFileSync(join(folder, 'checkpoints-1.json'), `[\n${JSON.stringify(checkpoint('ex-0001', 128))}\n]\n`);

      await withStoreAt(directory, async (store) => {
        expect((await store.listCheckpoints('ex-0001')).map((record) => [record.id, record.status])).toEqual([
          ['step:1', 'completed'],
          ['step:2', 'completed'],
          ['step:3', 'running'],
          ['step:129', 'completed'],
        ]);
        // Reading changes nothing, not even the marker.
        expect(readJson(marker)).toEqual({ format: 'keel-lowdb', version: 1 });
        await store.putCheckpoint(checkpoint('ex-0001', 2));
        await store.putCheckpoint(checkpoint('ex-0001', 3));
        expect(readJson(marker)).toEqual({ format: 'keel-lowdb', version: 3 });
        // The format-1 document is left as it was; the new lines override it record by record.
        expect(readFileSync(join(folder, 'checkpoints-0.json'), 'utf8')).toBe(segment);
        expect(readLines(join(folder, 'checkpoints-0.jsonl'))).toHaveLength(2);
      });
      const reopened = lowdbStore(directory);
      expect((await reopened.listCheckpoints('ex-0001')).map((record) => [record.id, record.status])).toEqual([
        ['step:1', 'completed'],
        ['step:2', 'completed'],
        ['step:3', 'completed'],
        ['step:4', 'completed'],
        ['step:129', 'completed'],
      ]);
      expect(await reopened.getCheckpoint('ex-0001', 'step:3')).toMatchObject({ status: 'completed' });
      expect(await reopened.getCheckpoint('ex-0001', 'step:129')).toMatchObject({ seq: 128 });
      await reopened.close();
    });

    it('reads the blob files of a format-2 folder, and appends new blobs to packs after raising the marker', async () => {
      const directory = freshDirectory();
      const marker = join(directory, 'keel-store.json');
      writeFileSync(marker, JSON.stringify({ format: 'keel-lowdb', version: 2 }));
      const old = '{"written":"by format 2"}';
      const oldHash = contentHash(old);
      const oldFile = join(directory, 'blobs', oldHash.slice(7, 9), oldHash.slice(7));
      mkdirSync(join(directory, 'blobs', oldHash.slice(7, 9)), { recursive: true });
      writeFileSync(oldFile, old);
      await withStoreAt(directory, async (store) => {
        expect(await store.getBlob(oldHash)).toBe(old);
        expect(readJson(marker)).toEqual({ format: 'keel-lowdb', version: 2 });
        const added = '{"written":"by format 3"}';
        await store.putBlob(contentHash(added), added);
        expect(readJson(marker)).toEqual({ format: 'keel-lowdb', version: 3 });
        expect(readLines(packOf(directory, contentHash(added)))).toEqual([{ hash: contentHash(added), content: added }]);
        expect(await store.getBlobs([oldHash, contentHash(added), contentHash('absent')])).toEqual(
          new Map([
            [oldHash, old],
            [contentHash(added), added],
          ]),
        );
      });
      expect(readFileSync(oldFile, 'utf8')).toBe(old);
    });
  });

  it('processes storing the same blobs at once store each once, whole', async () => {
    const directory = freshDirectory();
    const go = join(directory, 'go');
    // The processes start writing together (when the go file appears), and the blobs are large enough that one
    // process's append is often still under way when another looks at the pack.
    const script = `
      const { lowdbStore } = await import(${JSON.stringify(builtStore)});
      const { createHash } = await import('node:crypto');
      const { existsSync } = await import('node:fs');
      const store = lowdbStore(${JSON.stringify(directory)});
      console.log('ready');
      while (!existsSync(${JSON.stringify(go)})) await new Promise((resolve) => setTimeout(resolve, 1));
      for (let index = 0; index < 40; index++) {
        const content = JSON.stringify({ index, text: 'x'.repeat(1024 * 1024) });
        await store.putBlob('sha256:' + createHash('sha256').update(content).digest('hex'), content);
      }
      await store.close();`;
    const children = Array.from({ length: 3 }, () => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const exits = children.map(
      (child) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          child.on('exit', (code) => resolve({ code, stderr }));
        }),
    );
    await Promise.all(children.map((child) => new Promise((resolve) => child.stdout.once('data', resolve))));
    writeFileSync(go, '');
    expect(await Promise.all(exits)).toEqual(Array.from({ length: 3 }, () => ({ code: 0, stderr: '' })));
    await withStoreAt(directory, async (store) => {
      for (let index = 0; index < 40; index++) {
        const content = JSON.stringify({ index, text: 'x'.repeat(1024 * 1024) });
        expect(await store.getBlob(contentHash(content))).toBe(content);
      }
    });
    const packs = readdirSync(join(directory, 'blobs'));
    expect(packs.every((name) => name.endsWith('.pack'))).toBe(true);
    expect(packs.flatMap((name) => readLines(join(directory, 'blobs', name))).length).toBe(40);
  });

  describe('locks', () => {
    const lockFile = (directory: string): string => join(directory, 'executions', 'ex-0001', 'execution.json.lock');
    const writeLock = (directory: string, pid: number): void => {
      mkdirSync(join(directory, 'executions', 'ex-0001'), { recursive: true });
      writeFileSync(lockFile(directory), JSON.stringify({ pid, host: hostname(), startedAt: Date.now() }));
    };

    it('breaks a lock whose process died on this host', async () => {
      await withStore(async (store, directory) => {
        await store.createExecution(execution('ex-0001'));
        const exited = spawnSync(process.execPath, ['-e', '']);
        writeLock(directory, exited.pid as number);
        expect(await store.updateExecution('ex-0001', { status: 'failed' }, { version: 1 })).toMatchObject({ ok: true });
        expect(existsSync(lockFile(directory))).toBe(false);
      });
    });

    it('breaks a lock with this process id that this process does not hold (a previous process had the pid)', async () => {
      await withStore(async (store, directory) => {
        await store.createExecution(execution('ex-0001'));
        writeLock(directory, process.pid);
        expect(await store.updateExecution('ex-0001', { status: 'failed' }, { version: 1 })).toMatchObject({ ok: true });
      });
    });

    it('waits for a lock held by a live process, and goes on once it is released', async () => {
      await withStore(async (store, directory) => {
        await store.createExecution(execution('ex-0001'));
        writeLock(directory, process.ppid);
        let settled = false;
        const update = store.updateExecution('ex-0001', { status: 'failed' }, { version: 1 }).finally(() => (settled = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(settled).toBe(false);
        expect(await store.getExecution('ex-0001')).toMatchObject({ status: 'running', version: 1 });
        rmSync(lockFile(directory));
        expect(await update).toMatchObject({ ok: true, record: { status: 'failed', version: 2 } });
      });
    });

    it('breaks a lock held by a live process once it is older than staleLockAfter', async () => {
      await withStore(
        async (store, directory) => {
          await store.createExecution(execution('ex-0001'));
          writeLock(directory, process.ppid);
          expect(await store.updateExecution('ex-0001', { status: 'failed' }, { version: 1 })).toMatchObject({ ok: true });
        },
        { staleLockAfter: 300 },
      );
    });

    it('removes its owner file on close and the owner files of dead processes on start', async () => {
      const directory = freshDirectory();
      const locks = join(directory, 'locks');
      mkdirSync(locks, { recursive: true });
      const exited = spawnSync(process.execPath, ['-e', '']);
      writeFileSync(join(locks, `${exited.pid}-dead.owner`), JSON.stringify({ pid: exited.pid, host: hostname(), startedAt: 1 }));
      await withStoreAt(directory, async (store) => {
        await store.createExecution(execution('ex-0001'));
        expect(readdirSync(locks)).toHaveLength(1);
        expect(readdirSync(locks)[0]).toMatch(new RegExp(`^${process.pid}-`));
      });
      expect(readdirSync(locks)).toEqual([]);
    });
  });

  async function withStoreAt(directory: string, body: (store: Store) => Promise<void>): Promise<void> {
    const store = lowdbStore(directory);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  }
});
