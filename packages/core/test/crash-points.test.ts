import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild } from '@keel/testkit';
import { BlobMissingError, checkpoint, createRuntime, lowdbStore, wait } from '../src/index.js';
import { z } from 'zod';

const folders: string[] = [];

function workspace() {
  const folder = mkdtempSync(join(tmpdir(), 'keel-crash-points-'));
  folders.push(folder);
  return { folder, store: join(folder, '.keel'), effects: join(folder, 'effects.log') };
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

function resultOf(stdout: string): Record<string, unknown> {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('result '));
  if (!line) throw new Error(`no result line in:\n${stdout}`);
  return JSON.parse(line.slice('result '.length)) as Record<string, unknown>;
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('SIGKILL in the middle of a Promise.all of calls identified by position', () => {
  const fixture = new URL('./fixtures/fan-out.mjs', import.meta.url).pathname;

  it('resumes with every completed call reused, the unfinished ones run again, and no divergence', async () => {
    const { store, effects } = workspace();
    const first = startChild(fixture, [store, effects, 'run']);
    await Promise.all([1, 3, 5].map((n) => first.waitForLine(new RegExp(`^done ${n}$`))));
    expect((await first.kill()).signal).toBe('SIGKILL');
    expect(lines(effects).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `fetch ${n}`));

    const second = startChild(fixture, [store, effects, 'recover']);
    const { code, stdout, stderr } = await second.exited;
    expect(code, stderr).toBe(0);
    expect(resultOf(stdout)).toEqual({ status: 'completed', output: 'page 1, page 2, page 3, page 4, page 5, page 6' });
    const counts = new Map<string, number>();
    for (const line of lines(effects)) counts.set(line, (counts.get(line) ?? 0) + 1);
    // The finished calls were reused; the three that hung at the kill ran once more each.
    expect(Object.fromEntries(counts)).toEqual({ 'fetch 1': 1, 'fetch 2': 2, 'fetch 3': 1, 'fetch 4': 2, 'fetch 5': 1, 'fetch 6': 2 });
  });
});

describe('a blob missing from the store', () => {
  it('fails the resumed run with BlobMissingError naming the checkpoint, and changes nothing else', async () => {
    const { store: folder } = workspace();
    const store = lowdbStore(folder);
    const runtime = createRuntime({ store });
    let quotes = 0;
    const purchase = runtime.flow('purchase', async () => {
      const quote = await checkpoint('quote', () => ({ price: 42, quoteNumber: ++quotes }));
      const approved = await wait('approve', { schema: z.boolean() });
      return approved ? `bought at ${quote.price}` : 'not bought';
    });
    const waiting = await purchase.run(undefined);
    expect(waiting.status).toBe('waiting');
    const record = await store.getCheckpoint(waiting.executionId, 'quote:1');
    // Taken out of its pack, as if it had never been stored.
    const hash = record!.output!.hash;
    const pack = join(folder, 'blobs', `${hash.slice('sha256:'.length, 'sha256:'.length + 2)}.pack`);
    const lines = readFileSync(pack, 'utf8').split('\n');
    writeFileSync(pack, lines.filter((line) => !line.startsWith(`{"hash":"${hash}"`)).join('\n'));
    expect(readFileSync(pack, 'utf8').split('\n')).toHaveLength(lines.length - 1);
    await runtime.executions.input(waiting.executionId, 'approve', true);
    const records = await store.listCheckpoints(waiting.executionId);

    const resumed = await runtime.executions.resume(waiting.executionId);
    expect(resumed.status).toBe('failed');
    expect(BlobMissingError.isInstance(resumed.error)).toBe(true);
    expect(resumed.error).toMatchObject({
      executionId: waiting.executionId,
      checkpointId: 'quote:1',
      hash: record!.output!.hash,
      location: store.location,
    });
    expect(resumed.error?.message).toContain('checkpoint "quote:1"');
    // The call was not run again in the blob's place, and its record was left as it was.
    expect(quotes).toBe(1);
    expect(await store.listCheckpoints(waiting.executionId)).toStrictEqual(records);
    await runtime.close();
  });
});

describe('cancel from another process', () => {
  it('stops a running execution at its next call', async () => {
    const { store, effects } = workspace();
    const child = startChild(new URL('./fixtures/gated-steps.mjs', import.meta.url).pathname, [store, effects], { stdin: true });
    const executionId = (await child.waitForLine(/^inside /)).slice('inside '.length);
    const runtime = createRuntime({ store: lowdbStore(store) });
    expect(await runtime.executions.cancel(executionId)).toEqual({ status: 'cancelling' });
    child.process.stdin!.end('go\n');
    const { code, stdout, stderr } = await child.exited;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^result cancelled$/m);
    expect(lines(effects)).toEqual(['step_1']);
    expect(await runtime.executions.get(executionId)).toMatchObject({ status: 'cancelled' });
    await runtime.close();
  });
});
