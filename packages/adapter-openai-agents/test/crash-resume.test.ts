import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeLLM, type FakeLLM } from '@keel/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Child, mcpServerFixture } from './child-process.js';
import { newsBrain, newsScript } from './news-brain.js';

// Real child processes run a real @openai/agents agent (built packages, lowdb store, a stdio MCP
// server) against the fake LLM server in this process; the test SIGKILLs them and resumes in a new one.

let fake: FakeLLM;
let killDuringRequest: ((index: number) => Child | undefined) | undefined;
const children: Child[] = [];
const directories: string[] = [];

beforeAll(async () => {
  const brain = newsScript(200).map((turn) => async (request: Parameters<typeof newsBrain>[0]) => {
    const victim = killDuringRequest?.(request.index);
    if (victim) {
      // The child dies while its model request is in flight; the request never gets an answer.
      await victim.kill();
      return { fault: { hang: true } } as const;
    }
    return turn(request);
  });
  fake = await startFakeLLM({ script: brain });
});
afterAll(async () => {
  await fake.stop();
  for (const directory of directories) fs.rmSync(directory, { recursive: true, force: true });
});
afterEach(async () => {
  killDuringRequest = undefined;
  await Promise.all(children.splice(0).map((child) => child.stop()));
});

function workspace() {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-oai-'));
  directories.push(directory);
  return { STORE_DIR: path.join(directory, 'store'), CALLS_LOG: path.join(directory, 'calls.log'), FAKE_URL: fake.url, MCP_SERVER: mcpServerFixture };
}

function start(env: Record<string, string>): Child {
  const child = new Child(env);
  children.push(child);
  return child;
}

/** The lines tools and the MCP server appended: one per real execution. */
function calls(env: { CALLS_LOG: string }): string[] {
  return fs.existsSync(env.CALLS_LOG) ? fs.readFileSync(env.CALLS_LOG, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** A completed-call line with the fake server's call number (shared by this file's runs) blanked. */
function withoutCallNumber(line: string): string {
  return line.replace(/call_\d+/, 'call_N');
}

/** Requests the fake server received since `from`. */
function requestsSince(from: number) {
  return fake.requests.slice(from);
}

describe('a news scout (function tool + MCP tool) killed after the k-th call', () => {
  let uninterrupted: { output: unknown; requests: number; calls: string[] };

  beforeAll(async () => {
    const env = { ...workspace(), SCENARIO: 'scout', ACTION: 'run' };
    const before = fake.requests.length;
    const result = await start(env).result();
    expect(result.status).toBe('completed');
    uninterrupted = { output: result.output, requests: fake.requests.length - before, calls: calls(env) };
    // model → search_news → model → score_story (MCP) → model
    expect(uninterrupted).toEqual({
      output: 'Top story: Open model beats benchmarks (score 67)',
      requests: 3,
      calls: ['search_news AI', 'score_story Open model beats benchmarks'],
    });
  });

  test('killed after call 1, then again after calls 2, 3 and 4: each completed call ran exactly once, and the output is the uninterrupted one', async () => {
    const env = { ...workspace(), SCENARIO: 'scout' };
    const before = fake.requests.length;
    const recorded: string[] = [];
    // Each process records one more call and dies; the next one resumes the same execution.
    for (let k = 1; k <= 4; k++) {
      const child = start({ ...env, ACTION: k === 1 ? 'run' : 'recover', PAUSE_AFTER: '1' });
      await child.waitFor((line) => line === 'paused');
      await child.kill();
      expect(child.completedCalls()).toHaveLength(1);
      recorded.push(...child.completedCalls());
      // Every call completed so far reached the fake server / tool / MCP server exactly once.
      const modelCalls = recorded.filter((line) => line.endsWith(' model')).length;
      expect(requestsSince(before)).toHaveLength(modelCalls);
      expect(calls(env)).toEqual(uninterrupted.calls.slice(0, k - modelCalls));
    }

    const last = start({ ...env, ACTION: 'recover' });
    const result = await last.result();
    expect(result.status).toBe('completed');
    expect(result.output).toBe(uninterrupted.output);
    expect(requestsSince(before)).toHaveLength(uninterrupted.requests);
    expect(calls(env)).toEqual(uninterrupted.calls);
    expect([...recorded, ...last.completedCalls()].map(withoutCallNumber)).toEqual([
      'model:1 model',
      'search_news:call_N tool',
      'model:2 model',
      'score_story:call_N mcp',
      'model:3 model',
    ]);
  });

  test('streamed, killed after call 3: the resumed stream ends with the same output and text', async () => {
    const env = { ...workspace(), SCENARIO: 'scout', STREAM: '1' };
    const before = fake.requests.length;
    const first = start({ ...env, ACTION: 'run', PAUSE_AFTER: '3' });
    await first.waitFor((line) => line === 'paused');
    await first.kill();
    const result = await start({ ...env, ACTION: 'recover' }).result();
    expect(result).toMatchObject({
      status: 'completed',
      output: { finalOutput: uninterrupted.output, deltas: uninterrupted.output },
    });
    expect(requestsSince(before)).toHaveLength(uninterrupted.requests);
    expect(calls(env)).toEqual(uninterrupted.calls);
  });

  test('killed during the second model request: exactly that request is made again', async () => {
    const env = { ...workspace(), SCENARIO: 'scout' };
    const before = fake.requests.length;
    const first = start({ ...env, ACTION: 'run' });
    killDuringRequest = (index) => (index === before + 1 ? first : undefined);
    await first.exited;
    killDuringRequest = undefined;
    expect(first.completedCalls().map(withoutCallNumber)).toEqual(['model:1 model', 'search_news:call_N tool']);

    const result = await start({ ...env, ACTION: 'recover' }).result();
    expect(result).toMatchObject({ status: 'completed', output: uninterrupted.output });
    const requests = requestsSince(before);
    // The first request once, the interrupted one twice (never answered, then answered), the last once.
    expect(requests).toHaveLength(4);
    expect(requests.map((request) => request.outcome === 'replied')).toEqual([true, false, true, true]);
    expect(requests[1]!.rawBody).toBe(requests[2]!.rawBody);
    expect(calls(env)).toEqual(uninterrupted.calls);
  });
});

describe('a two-agent handoff', () => {
  test('killed after the triage agent and the writer’s first call, it resumes with every call made once', async () => {
    // Uninterrupted, the fake's answers make this run: triage → handoff → writer → search_news → writer
    // (the in-process tests run the same agents uninterrupted).
    const plain = { output: 'Story: Open model beats benchmarks', requests: 3 };

    const env = { ...workspace(), SCENARIO: 'handoff' };
    const before = fake.requests.length;
    const first = start({ ...env, ACTION: 'run', PAUSE_AFTER: '2' });
    await first.waitFor((line) => line === 'paused');
    await first.kill();
    expect(first.completedCalls()).toEqual(['model:1 model', 'model:2 model']);

    const second = start({ ...env, ACTION: 'recover' });
    const result = await second.result();
    expect(result).toMatchObject({ status: 'completed', output: plain.output });
    expect(fake.requests.length - before).toBe(plain.requests);
    expect(calls(env)).toEqual(['search_news AI']);
    expect(second.completedCalls().map(withoutCallNumber)).toEqual(['search_news:call_N tool', 'model:3 model']);
    // Each request went to the agent whose turn it was.
    const instructions = fake.requests.slice(before).map((request) => (request.body as { instructions: string }).instructions);
    expect(instructions).toEqual(['You route requests.', 'You write the story.', 'You write the story.']);
  });
});

describe('an at-most-once tool', () => {
  test('interrupted by a crash, it is not run again: the execution waits for a decision', async () => {
    const env = { ...workspace(), SCENARIO: 'at-most-once' };
    const first = start({ ...env, ACTION: 'run', HANG: '1' });
    await first.waitFor((line) => line === 'tool-started send_alert');
    await first.kill();

    const result = await start({ ...env, ACTION: 'recover' }).result();
    expect(result.status).toBe('waiting');
    expect(result.waits).toEqual([expect.objectContaining({ name: 'send_alert#decision' })]);
    expect(calls(env)).toEqual(['send_alert breaking']);
  });
});
