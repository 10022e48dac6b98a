import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '@keel/core';
import { readmeSnippet, runReadmeSnippet, startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { lastToolOutput } from './news-brain.js';

// The README's examples, extracted verbatim and run as scripts (with the SDK's default OpenAI provider
// pointed at the fake server through OPENAI_BASE_URL), so the README cannot drift from the code.

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
// Inside the package, so `@keel/adapter-openai-agents` resolves to this package as it would for a user.
const scripts = path.join(packageDirectory, 'test', '.readme');
let fake: FakeLLM;
let state: string;

/** The README's model: answers from the agent's instructions and the last tool output. */
function readmeBrain(request: FakeRequest) {
  const body = request.body as { instructions: string; input: Array<{ role?: string; content?: unknown }> };
  const last = lastToolOutput(request);
  const userMessage = String(body.input.find((item) => item.role === 'user')?.content ?? '');
  if (body.instructions.startsWith('Find the most important')) {
    if (!last) return { toolCalls: [{ name: 'search_news', arguments: { topic: userMessage.includes('chips') ? 'chips' : 'ai' } }] };
    if (last.name === 'search_news') return { toolCalls: [{ name: 'investigate', arguments: { input: (JSON.parse(last.text) as string[])[0]! } }] };
    const searched = JSON.parse(lastToolOutputOf(request, 'search_news')) as string[];
    return `Brief: ${searched[0]!}. ${last.text}`;
  }
  if (body.instructions.startsWith('Research one story')) {
    if (!last) return { toolCalls: [{ name: 'search_news', arguments: { topic: userMessage.includes('Chip') ? 'chips' : 'ai' } }] };
    return `Key fact: ${(JSON.parse(last.text) as string[])[1]!}`;
  }
  if (body.instructions.startsWith('Publish the brief')) {
    if (!last) return { toolCalls: [{ name: 'publish_brief', arguments: { text: userMessage.replace('Publish: ', '') } }] };
    return `Published: ${last.text}`;
  }
  throw new Error(`README brain: unexpected instructions ${body.instructions}`);
}

function lastToolOutputOf(request: FakeRequest, name: string): string {
  const items = (request.body as { input: Array<{ type?: string; call_id?: string; name?: string; output?: unknown }> }).input;
  const call = [...items].reverse().find((item) => item.type === 'function_call' && item.name === name);
  const output = items.find((item) => item.type === 'function_call_output' && item.call_id === call?.call_id);
  return String(output?.output);
}

beforeAll(async () => {
  fake = await startFakeLLM({ script: Array.from({ length: 30 }, () => readmeBrain) });
  fs.mkdirSync(scripts, { recursive: true });
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-oai-readme-'));
});
afterAll(async () => {
  await fake.stop();
  fs.rmSync(scripts, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

const readme = path.join(packageDirectory, 'README.md');

/** The output the README shows for an example: the code block after `<!-- output: <file> -->`. */
function readmePrintedOutput(file: string): string {
  return readmeSnippet({ readme, marker: `<!-- output: ${file} -->`, language: '' });
}

/** Runs the README's code block marked `<!-- example: <file> -->`, verbatim. */
async function runExample(file: string, store: string): Promise<string> {
  const { code, stdout, stderr } = await runReadmeSnippet({
    readme,
    marker: `<!-- example: ${file} -->`,
    language: 'js',
    file: path.join(scripts, file),
    cwd: scripts,
    env: { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', OPENAI_AGENTS_DISABLE_TRACING: '1', KEEL_STORE: store },
  }).exited;
  expect(code, stderr).toBe(0);
  return stdout;
}

test('the news scout example runs as written, and records what the README says', async () => {
  const store = path.join(state, 'scout');
  const before = fake.requests.length;
  const stdout = await runExample('news-scout.mjs', store);
  expect(stdout).toBe(
    'Brief: Open model beats benchmarks. Key fact: Chip export rules change\n' + 'Brief: Chip export rules change. Key fact: New fab opens in Arizona\n',
  );
  expect(fake.requests.length - before).toBe(10);

  const runtime = createRuntime({ store });
  try {
    const [, first] = await runtime.executions.list({ flow: 'news_scout' }); // newest first
    const checkpoints = await runtime.executions.checkpoints(first!.id);
    expect(checkpoints.map((checkpoint) => `${checkpoint.id} ${checkpoint.kind}`).map((line) => line.replace(/call_\d+/g, 'call_N'))).toEqual([
      'model:1 model',
      'search_news:call_N tool',
      'model:2 model',
      'investigate:call_N tool',
      'investigate:call_N/model:1 model',
      'investigate:call_N/search_news:call_N tool',
      'investigate:call_N/model:2 model',
      'model:3 model',
    ]);
    const readme = fs.readFileSync(path.join(packageDirectory, 'README.md'), 'utf8');
    const model = checkpoints[0]!.metadata?.['model'];
    expect(readme, `the recorded model id is ${String(model)}`).toContain(
      `model:1                              model  agent news_scout, model ${String(model)}, usage`,
    );
    expect((await runtime.executions.get(first!.id)).output).toEqual({
      agent: 'news_scout',
      lastAgent: 'news_scout',
      finalOutput: 'Brief: Open model beats benchmarks. Key fact: Chip export rules change',
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    });
  } finally {
    await runtime.close();
  }
});

test('the approval example runs as written and prints what the README shows', async () => {
  const stdout = await runExample('approval.mjs', path.join(state, 'approval'));
  expect(stdout).toBe(readmePrintedOutput('approval.mjs'));
});
