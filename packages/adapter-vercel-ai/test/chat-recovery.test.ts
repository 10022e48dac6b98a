import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, lowdbStore } from '@keel/core';
import { killAllChildren, startChild, startFakeLLM } from '@keel/testkit';
import { expect, it, onTestFinished } from 'vitest';
import { chunksOf, gate, messageOf, textOf, userMessage } from './support/chat-client.js';
import { newsScriptHolding } from './support/news-script.js';

const fixture = new URL('./fixtures/chat-server.mjs', import.meta.url).pathname;

/** A store folder and a tools log for the chat servers, over a fake model whose second call is held until `release`. */
async function setUp(name: string, release: Promise<void>) {
  const fake = await startFakeLLM({ script: newsScriptHolding(1, release) });
  const folder = mkdtempSync(join(tmpdir(), `keel-chat-${name}-`));
  onTestFinished(async () => {
    await killAllChildren();
    await fake.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  const log = join(folder, 'tools.log');
  writeFileSync(log, '');
  return { fake, folder, log, config: JSON.stringify({ store: join(folder, '.keel'), log, url: fake.url }) };
}

async function startServer(config: string) {
  const child = startChild(fixture, [config]);
  const port = Number((await child.waitForLine(/^listening \d+$/)).split(' ')[1]);
  return { child, url: `http://127.0.0.1:${port}/api/chat` };
}

it('the server dies mid-answer: the next server resumes the turn, reusing the finished calls, and a reconnect gets the whole answer once', async () => {
  // The second model request (the one in flight when the server dies) is never answered the first time.
  const held = gate();
  const { fake, folder, log, config } = await setUp('recovery', held.opened);

  const first = await startServer(config);
  const question = userMessage('u1', 'Find the most important AI news');
  const posted = await fetch(first.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'c1', messages: [question] }),
  });
  expect(posted.status).toBe(200);
  const cut = posted.text().catch((error: unknown) => error);
  await fake.waitForRequests(2);
  await first.child.kill();
  expect(await cut).toBeInstanceOf(Error); // the page's stream broke off

  const second = await startServer(config);
  const reconnected = await fetch(`${second.url}/c1/stream`);
  expect(reconnected.status).toBe(200);
  const chunks = await chunksOf(reconnected);
  const answer = await messageOf(chunks);
  expect(textOf(answer)).toBe('Reading both.The most important AI news: https://news.example/2 leads');
  // No gap, no duplicate: one start, one finish, every text part once, each tool call once.
  expect(chunks.filter((chunk) => chunk.type === 'start')).toHaveLength(1);
  expect(chunks.filter((chunk) => chunk.type === 'finish')).toHaveLength(1);
  expect(answer.parts.filter((part) => part.type.startsWith('tool-')).map((part) => part.type)).toEqual([
    'tool-searchNews',
    'tool-readPage',
    'tool-readPage',
    'tool-rankStories',
  ]);
  // Four model calls: the first reused from its record, the one in flight run again once.
  expect(fake.requests).toHaveLength(5);
  expect(
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .filter((line) => line.startsWith('searchNews')),
  ).toHaveLength(1);
  held.open();

  const stored = await (await fetch(`${second.url}/c1/messages`)).json();
  expect(stored).toEqual([question, answer]);
  expect((await fetch(`${second.url}/c1/stream`)).status).toBe(204);
  await second.child.stop();
  const runtime = createRuntime({ store: lowdbStore(join(folder, '.keel')) });
  expect((await runtime.executions.get('chat-c1-1')).sessions).toBe(2);
  await runtime.close();
});

it('a reconnect that reaches another server process follows the turn from the store, every chunk from the start', async () => {
  const held = gate();
  const { fake, config } = await setUp('follow', held.opened);
  const [running, other] = await Promise.all([startServer(config), startServer(config)]);

  const posted = await fetch(running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'c2', messages: [userMessage('u1', 'Find the news')] }),
  });
  await fake.waitForRequests(2);
  const followed = await fetch(`${other.url}/c2/stream`);
  expect(followed.status).toBe(200);
  held.open();
  const [original, copy] = await Promise.all([chunksOf(posted), chunksOf(followed)]);
  expect(copy).toEqual(original);
  expect(textOf(await messageOf(copy))).toBe('Reading both.The most important AI news: https://news.example/2 leads');
  expect(fake.requests).toHaveLength(4);
});
