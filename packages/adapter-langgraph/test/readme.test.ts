import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, lowdbStore } from '@keel/core';
import { readmeSnippet, runReadmeSnippet, startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';

// The README's examples, extracted verbatim and run as scripts (ChatOpenAI pointed at the fake
// server through OPENAI_BASE_URL), so the README cannot drift from the code.

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
// Inside the package, so `@keel/adapter-langgraph` resolves to this package as it would for a user.
const scripts = path.join(packageDirectory, 'test', '.readme');
let fake: FakeLLM;
let store: string;

/** The README's model: search, then investigate the top story, then write the brief. */
function scoutBrain(request: FakeRequest) {
  const messages = (request.body as { messages: { role: string; content: string; tool_call_id?: string }[] }).messages;
  const tools = messages.filter((message) => message.role === 'tool');
  if (tools.length === 0) return { toolCalls: [{ name: 'search_news', arguments: { topic: 'ai' } }] };
  if (tools.length === 1) return { toolCalls: [{ name: 'investigate', arguments: { story: (JSON.parse(tools[0]!.content) as string[])[0]! } }] };
  return `Brief: ${tools[1]!.content}`;
}

beforeAll(async () => {
  fake = await startFakeLLM({ script: Array.from({ length: 3 }, () => scoutBrain) });
  fs.mkdirSync(scripts, { recursive: true });
  store = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lg-readme-'));
});
afterAll(async () => {
  await fake.stop();
  fs.rmSync(scripts, { recursive: true, force: true });
  fs.rmSync(store, { recursive: true, force: true });
});

const readme = path.join(packageDirectory, 'README.md');

/** The README's code block marked `<!-- example: <file> -->`, or the output marked `<!-- output: <file> -->`. */
function readmeBlock(kind: 'example' | 'output', file: string): string {
  return readmeSnippet({ readme, marker: `<!-- ${kind}: ${file} -->`, language: kind === 'example' ? 'js' : '' });
}

async function run(file: string, args: string[] = []): Promise<string> {
  const { code, stdout, stderr } = await runReadmeSnippet({
    readme,
    marker: `<!-- example: ${file} -->`,
    language: 'js',
    file: path.join(scripts, file),
    args,
    cwd: scripts,
    env: { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: fake.url, KEEL_STORE: store },
  }).exited;
  expect(code, stderr).toBe(0);
  return stdout;
}

test('the news scout example runs as written and prints what the README shows', async () => {
  const printed = await run('news-scout.mjs');
  expect(printed).toBe(readmeBlock('output', 'news-scout.mjs'));
  expect(fake.requests.map((request) => request.body['model'])).toEqual(['gpt-5', 'gpt-5', 'gpt-5']);

  const runtime = createRuntime({ store: lowdbStore(store) });
  try {
    const [execution] = await runtime.executions.list({ flow: 'langgraph:news_scout' });
    expect(execution!.status).toBe('completed');
    const records = await runtime.executions.checkpoints(execution!.id);
    const calls = records.filter((record) => record.kind !== 'step');
    expect(calls.map((record) => record.name)).toEqual(['model', 'search_news', 'model', 'investigate', 'model']);
    expect(records.filter((record) => record.status === 'failed')).toEqual([]);
  } finally {
    await runtime.close();
  }
});

test('the approval example waits in one process and is approved from another', async () => {
  const asked = await run('publish.mjs');
  const approved = await run('publish.mjs', ['approve']);
  expect(asked + approved).toBe(readmeBlock('output', 'publish.mjs'));
});
