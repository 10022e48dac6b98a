import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild } from '@keel/testkit';
import { lowdbStore } from '../src/index.js';

const fixture = new URL('./fixtures/record-gap.mjs', import.meta.url).pathname;
const folders: string[] = [];

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Runs the fixture until step_2's side effect is done and its `completed` record is being written, then SIGKILLs it. */
async function killBetweenEndAndRecord(delivery: string) {
  const folder = mkdtempSync(join(tmpdir(), 'keel-record-gap-'));
  folders.push(folder);
  const store = join(folder, '.keel');
  const effects = join(folder, 'effects.log');
  const first = startChild(fixture, [store, effects, 'run', delivery]);
  await first.waitForLine(/^recording step_2$/);
  expect((await first.kill()).signal).toBe('SIGKILL');
  expect(lines(effects)).toEqual(['step_1', 'step_2']);
  return { store, effects };
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

async function recover(store: string, effects: string, delivery: string) {
  const second = startChild(fixture, [store, effects, 'recover', delivery]);
  const { code, stdout, stderr } = await second.exited;
  expect(code, stderr).toBe(0);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('result '));
  return JSON.parse(line!.slice('result '.length)) as { status: string; output?: unknown; waits?: string[] };
}

describe("a crash between a call's end and its record", () => {
  it('runs an at-least-once call again, exactly once, on resume', async () => {
    const { store, effects } = await killBetweenEndAndRecord('at-least-once');
    const result = await recover(store, effects, 'at-least-once');
    expect(result).toMatchObject({ status: 'completed', output: ['result 1', 'result 2', 'result 3'] });
    expect(lines(effects)).toEqual(['step_1', 'step_2', 'step_2', 'step_3']);
  });

  it('opens the #decision wait of an at-most-once call instead of running it again', async () => {
    const { store, effects } = await killBetweenEndAndRecord('at-most-once');
    const result = await recover(store, effects, 'at-most-once');
    expect(result).toMatchObject({ status: 'waiting', waits: ['step_2:1#decision:1'] });
    expect(lines(effects)).toEqual(['step_1', 'step_2']);
    const reopened = lowdbStore(store);
    const [execution] = await reopened.listExecutions();
    expect(execution?.status).toBe('waiting');
    expect(await reopened.getCheckpoint(execution!.id, 'step_2:1')).toMatchObject({ status: 'running', attempts: 1 });
    expect(await reopened.getWait(execution!.id, 'step_2:1#decision:1')).toMatchObject({
      status: 'pending',
      schema: { enum: ['rerun', 'fail'] },
    });
    await reopened.close();
  });
});
