import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryStore, PayloadReader, type PayloadRef, type Store } from '@keel/core';
import { RecordKeeper } from '@keel/core/adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyStore } from '../src/store-copy/copy-store.js';
import { storeDigest } from '../src/store-copy/store-digest.js';
import { createProject, keel, keelJson, linkStorePackages, removeProjects, writeFiles } from './cli-harness.js';
import { createTestSchema, type TestSchema } from './postgres-schema.js';

// A model call whose request core stores as a chain link (messages and envelope in blobs of their own), an artifact, a log
// line, and a wait; the model call counts its runs in a file so a resume on the copy shows it reused.
const storyFlow = `import { checkpoint, flow, log, save, wait } from '@keel/core';
import { appendFileSync } from 'node:fs';
import { z } from 'zod';

export const story = flow('story', async (input: { topic: string }) => {
  log.info('writing', { topic: input.topic });
  const draft = await checkpoint('ask', () => {
    appendFileSync('ask.count', 'x');
    return 'a story about ' + input.topic;
  }, { kind: 'model', input: { model: 'fake', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: input.topic }] } });
  await save('report', '# ' + draft, { type: 'markdown' });
  const approved = await wait('approve', { schema: z.boolean(), question: 'Publish?' });
  return approved ? draft.toUpperCase() : 'rejected';
});
`;

let project: string;
let postgres: TestSchema;

beforeAll(async () => {
  postgres = await createTestSchema();
  project = createProject('link');
  linkStorePackages(project);
  expect((await keel(project, ['init'])).code).toBe(0);
  writeFiles(project, { 'flows/story.ts': storyFlow });
});

afterAll(async () => {
  await postgres?.drop();
  removeProjects();
});

function executionId(output: string): string {
  return /ex_[0-9a-z]{18}/.exec(output)![0];
}

describe('keel store copy', () => {
  it('copies lowdb → SQLite → PostgreSQL with matching digests, refuses existing ids, and the copy resumes and reads the same', async () => {
    // On the default lowdb store (./.keel): one execution completed, one left waiting.
    const done = executionId((await keel(project, ['run', 'story', '--input', '{"topic":"boats"}'])).stdout);
    expect((await keel(project, ['executions', 'input', done, '--value', 'true', '--resume'])).code).toBe(0);
    const waiting = executionId((await keel(project, ['run', 'story', '--input', '{"topic":"trains"}'])).stdout);
    expect(readFileSync(join(project, 'ask.count'), 'utf8')).toBe('xx');
    // A deployed version with the prod tag: copied with the executions.
    expect((await keel(project, ['deploy', 'story', '--tag', 'prod'], { KEEL_CODE_VERSION: 'v1' })).code).toBe(0);

    const toSqlite = await keel(project, ['store', 'copy', '--from', './.keel', '--to', 'sqlite:./copy.db', '--json']);
    expect(toSqlite.code, toSqlite.stderr).toBe(0);
    const first = JSON.parse(toSqlite.stdout);
    expect(first.matches).toBe(true);
    expect(first.source.digest).toBe(first.target.digest);
    // 14 blobs, 4 of them reached only through the model requests' chain links: 3 messages ("be brief" is
    // shared) and the envelope (the request without its messages, shared).
    expect(first.copied).toEqual({ executions: 2, checkpoints: 4, waits: 2, artifacts: 3, logs: 2, blobs: 14, deployments: 1, tags: 1 });

    // Again into the same store: refused, nothing written, the ids named.
    const again = await keel(project, ['store', 'copy', '--from', './.keel', '--to', 'sqlite:./copy.db']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(done);
    expect(again.stderr).toContain('--skip-existing');
    const skipping = JSON.parse((await keel(project, ['store', 'copy', '--from', './.keel', '--to', 'sqlite:./copy.db', '--skip-existing', '--json'])).stdout);
    expect(skipping.skipped.sort()).toEqual([done, waiting].sort());
    expect(skipping.copied.executions).toBe(0);

    const toPostgres = await keel(project, ['store', 'copy', '--from', 'sqlite:./copy.db', '--to', postgres.url]);
    expect(toPostgres.code, toPostgres.stderr).toBe(0);
    expect(toPostgres.stdout).toContain('copied 2 executions, 4 checkpoints, 2 waits, 3 artifacts, 2 logs, 14 blobs, 1 deployment, 1 tag');
    const digests = [...toPostgres.stdout.matchAll(/digest (sha256:[0-9a-f]{64})/g)].map((match) => match[1]);
    // The same records through three backends: the same digest all the way.
    expect(digests).toEqual([first.source.digest, first.source.digest]);

    // The copy routes invocations as the original does.
    const routes = await keelJson(project, ['versions', '--store', postgres.url]);
    expect(routes.find((summary: { version: string }) => summary.version === 'v1')).toMatchObject({
      flow: 'story',
      tags: ['prod'],
      deployedAt: expect.any(Number),
    });
    expect((await keelJson(project, ['invoke', 'story', '--input', '{"topic":"cars"}', '--store', postgres.url])).version).toBe('v1');

    // Reading on the copy gives what the original gives.
    const original = await keelJson(project, ['executions', 'show', done]);
    const copied = await keelJson(project, ['executions', 'show', done, '--store', postgres.url]);
    expect(copied.execution.output).toBe('A STORY ABOUT BOATS');
    expect(copied.checkpoints).toEqual(original.checkpoints);
    const report = await keel(project, ['artifacts', 'get', done, 'report', '--store', postgres.url]);
    expect(report.stdout).toBe((await keel(project, ['artifacts', 'get', done, 'report'])).stdout);
    expect(report.stdout).toContain('# a story about boats');

    // The waiting execution continues on the copy, reusing the model call recorded in the original store.
    expect((await keel(project, ['executions', 'input', waiting, '--value', 'true', '--store', postgres.url])).code).toBe(0);
    const worker = await keel(project, ['worker', '--once', '--store', postgres.url]);
    expect(worker.stdout, worker.stderr).toContain(`${waiting} story waiting → completed`);
    expect((await keelJson(project, ['executions', 'show', waiting, '--store', postgres.url])).execution.output).toBe('A STORY ABOUT TRAINS');
    expect(readFileSync(join(project, 'ask.count'), 'utf8')).toBe('xx');
    // The original store is untouched.
    expect((await keelJson(project, ['executions', 'show', waiting])).execution.status).toBe('waiting');
  }, 120_000);
});

describe('copyStore and storeDigest', () => {
  async function seeded(): Promise<Store> {
    const store = memoryStore();
    const message = '{"role":"user","content":"hi"}';
    await store.putBlob('sha256:message', message);
    await store.putBlob('sha256:request', '{"messages":{"$keel":"BlobList","value":["sha256:message"]}}');
    await store.putBlob('sha256:input', '"in"');
    // A request stored as a chain: the link of the second request extends the first's and appends a message.
    await store.putBlob('sha256:envelope', '{"model":"m","messages":[]}');
    await store.putBlob('sha256:answer', '{"role":"assistant","content":"hello"}');
    await store.putBlob('sha256:link-1', '{"$keel":"ChainedRequest","value":{"appended":["sha256:message"],"envelope":"sha256:envelope","field":"messages"}}');
    await store.putBlob('sha256:link-2', '{"$keel":"ChainedRequest","value":{"previous":"sha256:link-1","appended":["sha256:answer"]}}');
    await store.createExecution({
      id: 'ex_1',
      flow: 'f',
      status: 'completed',
      input: { hash: 'sha256:input', size: 4 },
      output: { hash: 'sha256:input', size: 4 },
      lease: null,
      sessions: 1,
      createdAt: 1,
      endedAt: 2,
    });
    await store.putCheckpoint({
      executionId: 'ex_1',
      id: 'ask:1',
      parentId: null,
      name: 'ask',
      kind: 'model',
      status: 'completed',
      seq: 0,
      input: { hash: 'sha256:request', size: 10 },
      attempts: 1,
      delivery: 'at-least-once',
      durable: true,
      startedAt: 1,
      endedAt: 2,
    });
    await store.putCheckpoint({
      executionId: 'ex_1',
      id: 'ask:2',
      parentId: null,
      name: 'ask',
      kind: 'model',
      status: 'completed',
      seq: 1,
      input: { hash: 'sha256:link-2', size: 10 },
      attempts: 1,
      delivery: 'at-least-once',
      durable: true,
      startedAt: 3,
      endedAt: 4,
    });
    return store;
  }

  it('follows BlobList and request-chain references into nested blobs, and the digest notices a changed record', async () => {
    const source = await seeded();
    const target = memoryStore();
    const result = await copyStore(source, target, { skipExisting: false });
    expect(result.copied).toEqual(['ex_1']);
    expect(await target.getBlob('sha256:message')).toBe('{"role":"user","content":"hi"}');
    // The copy has every blob the chained request needs: it loads there as in the source.
    const reader = (store: Store) => new PayloadReader(store).load({ hash: 'sha256:link-2', size: 10 });
    expect(await reader(target)).toEqual({
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    });
    expect(await reader(target)).toEqual(await reader(source));
    expect(await target.getExecution('ex_1')).toMatchObject({ status: 'completed', lease: null, endedAt: 2 });
    const before = await storeDigest(source, ['ex_1']);
    expect(await storeDigest(target, ['ex_1'])).toEqual(before);
    expect(before.counts).toMatchObject({ executions: 1, checkpoints: 2, blobs: 7 });
    const checkpoint = (await target.getCheckpoint('ex_1', 'ask:1'))!;
    await target.putCheckpoint({ ...checkpoint, attempts: 2 });
    expect((await storeDigest(target, ['ex_1'])).digest).not.toBe(before.digest);
  });

  it('copies the blobs a kept record refers to: a LangGraph-style checkpoint, its channel value and the chain of that value', async () => {
    const source = memoryStore();
    const keeper = new RecordKeeper(source, 'lgthread_t', { flow: 'langgraph:thread', input: { thread_id: 't' } });
    const messages = [{ role: 'user', content: 'hi' }];
    await keeper.keepGrowingValue({ type: 'json', json: [...messages] }, 'json');
    messages.push({ role: 'assistant', content: 'hello' });
    const channel = await keeper.keepGrowingValue({ type: 'json', json: [...messages] }, 'json');
    await keeper.write('langgraph/2', 'application/vnd.langgraph.checkpoint+json', { channels: { messages: { version: 2, value: channel } } });

    const target = memoryStore();
    await copyStore(source, target, { skipExisting: false });
    const copied = new RecordKeeper(target, 'lgthread_t', { flow: 'langgraph:thread', input: { thread_id: 't' } });
    const record = (await copied.read((await copied.record('langgraph/2'))!)) as { channels: { messages: { value: PayloadRef } } };
    expect(await copied.readValue(record.channels.messages.value)).toEqual({ type: 'json', json: messages });
    expect(await storeDigest(target, ['lgthread_t'])).toEqual(await storeDigest(source, ['lgthread_t']));
  });

  it('copies deployments and tags; refuses, writing nothing, a deployment the target has with other code or a tag it points elsewhere', async () => {
    const deployment = { flow: 'f', version: 'v1', digest: 'sha256:one', deployedAt: 1 };
    const source = await seeded();
    await source.createDeployment(deployment);
    await source.putTag({ flow: 'f', tag: 'prod', version: 'v1', updatedAt: 1 });
    const copy = memoryStore();
    const result = await copyStore(source, copy, { skipExisting: false });
    expect(await copy.listDeployments()).toEqual([deployment]);
    expect((await copy.listTags()).map(({ tag, version }) => ({ tag, version }))).toEqual([{ tag: 'prod', version: 'v1' }]);
    const routes = { deployments: result.deploymentCopy.deployments, tags: result.deploymentCopy.tags };
    expect((await storeDigest(copy, ['ex_1'], routes)).digest).toBe((await storeDigest(source, ['ex_1'], routes)).digest);

    const otherCode = memoryStore();
    await otherCode.createDeployment({ ...deployment, digest: 'sha256:two' });
    await expect(copyStore(source, otherCode, { skipExisting: true })).rejects.toThrow(/deployment f v1 \(other code\)\. Nothing was copied/);
    expect(await otherCode.getExecution('ex_1')).toBeNull();

    const otherTag = memoryStore();
    await otherTag.createDeployment(deployment);
    await otherTag.createDeployment({ ...deployment, version: 'v2' });
    await otherTag.putTag({ flow: 'f', tag: 'prod', version: 'v2', updatedAt: 2 });
    await expect(copyStore(source, otherTag, { skipExisting: false })).rejects.toThrow(/tag f prod \(→ v2 there, v1 here\)/);
    expect(await otherTag.getExecution('ex_1')).toBeNull();
    // With --skip-existing the target's tag stays.
    expect((await copyStore(source, otherTag, { skipExisting: true })).deploymentCopy.skippedTags).toEqual(['f prod']);
    expect((await otherTag.getTag('f', 'prod'))!.version).toBe('v2');
  });
});
