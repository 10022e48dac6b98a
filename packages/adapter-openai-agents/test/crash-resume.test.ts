import { startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Child } from './agent-child.js';
import { newsBrain } from './news-brain.js';
import { callsOf, removeWorkspaces, requestsOf, withChildren, workspace, workspaceOf } from './workspace.js';

// Real child processes run a real @openai/agents agent (built packages, lowdb store, a stdio MCP
// server) against the fake LLM server in this process; the tests SIGKILL them and resume in new ones.
// Each workspace tags its requests, so counts stay per test. The tests run one after another: child
// processes starting side by side on a small machine only slow each other down.

let fake: FakeLLM;
/** Per workspace: the child to kill when that workspace's n-th request (from 1) arrives. */
const killOnRequest = new Map<string, { readonly nth: number; readonly child: Child }>();
let uninterrupted: { output: unknown; requests: number; calls: string[] };

beforeAll(async () => {
  const answer = async (request: FakeRequest) => {
    const space = workspaceOf(request) ?? '';
    const killer = killOnRequest.get(space);
    if (killer && requestsOf(fake, { WORKSPACE: space }).length === killer.nth) {
      killOnRequest.delete(space);
      // The child dies while this request is in flight; it never gets an answer.
      await killer.child.kill();
      return { fault: { hang: true } } as const;
    }
    return newsBrain(request);
  };
  fake = await startFakeLLM({ script: Array.from({ length: 300 }, () => answer) });
  // The reference: the same scenario, never interrupted.
  await withChildren(async (start) => {
    const space = workspace(fake);
    const result = await start({ ...space, SCENARIO: 'scout', ACTION: 'run' }).result();
    uninterrupted = { output: result.output, requests: requestsOf(fake, space).length, calls: callsOf(space) };
  });
});
afterAll(async () => {
  await fake.stop();
  removeWorkspaces();
});

/** A completed-call line with the fake server's call number (shared by all runs) blanked. */
function withoutCallNumber(line: string): string {
  return line.replace(/call_\d+/, 'call_N');
}

describe('a news scout (function tool + MCP tool)', () => {
  test('uninterrupted: model → search_news → model → score_story (MCP) → model', async () => {
    expect(uninterrupted).toEqual({
      output: 'Top story: Open model beats benchmarks (score 67)',
      requests: 3,
      calls: ['search_news AI', 'score_story Open model beats benchmarks'],
    });
  });

  test('killed after call 1, then again after calls 2, 3 and 4: each completed call ran exactly once, and the output is the uninterrupted one', async () => {
    await withChildren(async (start) => {
      const space = workspace(fake);
      const env = { ...space, SCENARIO: 'scout' };
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
        expect(requestsOf(fake, space)).toHaveLength(modelCalls);
        expect(callsOf(space)).toHaveLength(k - modelCalls);
      }

      const last = start({ ...env, ACTION: 'recover' });
      const result = await last.result();
      const reference = uninterrupted;
      expect(result.status).toBe('completed');
      expect(result.output).toBe(reference.output);
      expect(requestsOf(fake, space)).toHaveLength(reference.requests);
      expect(callsOf(space)).toEqual(reference.calls);
      expect([...recorded, ...last.completedCalls()].map(withoutCallNumber)).toEqual([
        'model:1 model',
        'search_news:call_N tool',
        'model:2 model',
        'score_story:call_N mcp',
        'model:3 model',
      ]);
    });
  });

  test('streamed, killed after call 3: the resumed stream ends with the same output and text', async () => {
    await withChildren(async (start) => {
      const space = workspace(fake);
      const env = { ...space, SCENARIO: 'scout', STREAM: '1' };
      const first = start({ ...env, ACTION: 'run', PAUSE_AFTER: '3' });
      await first.waitFor((line) => line === 'paused');
      await first.kill();
      const result = await start({ ...env, ACTION: 'recover' }).result();
      const reference = uninterrupted;
      expect(result).toMatchObject({ status: 'completed', output: { finalOutput: reference.output, deltas: reference.output } });
      expect(requestsOf(fake, space)).toHaveLength(reference.requests);
      expect(callsOf(space)).toEqual(reference.calls);
    });
  });

  test('killed during the second model request: exactly that request is made again', async () => {
    await withChildren(async (start) => {
      const space = workspace(fake);
      const env = { ...space, SCENARIO: 'scout' };
      const first = start({ ...env, ACTION: 'run' });
      killOnRequest.set(space.WORKSPACE, { nth: 2, child: first });
      await first.exited;
      expect(first.completedCalls().map(withoutCallNumber)).toEqual(['model:1 model', 'search_news:call_N tool']);

      const result = await start({ ...env, ACTION: 'recover' }).result();
      const reference = uninterrupted;
      expect(result).toMatchObject({ status: 'completed', output: reference.output });
      const requests = requestsOf(fake, space);
      // The first request once, the interrupted one twice (never answered, then answered), the last once.
      expect(requests.map((request) => request.outcome === 'replied')).toEqual([true, false, true, true]);
      expect(requests[1]!.rawBody).toBe(requests[2]!.rawBody);
      expect(callsOf(space)).toEqual(reference.calls);
    });
  });

  test('a two-agent handoff killed after the triage agent and the writer’s first call resumes with every call made once', async () => {
    await withChildren(async (start) => {
      const space = workspace(fake);
      const env = { ...space, SCENARIO: 'handoff' };
      const first = start({ ...env, ACTION: 'run', PAUSE_AFTER: '2' });
      await first.waitFor((line) => line === 'paused');
      await first.kill();
      expect(first.completedCalls()).toEqual(['model:1 model', 'model:2 model']);

      const second = start({ ...env, ACTION: 'recover' });
      const result = await second.result();
      // Uninterrupted, this run is triage → handoff → writer → search_news → writer, with this output
      // (agent-graphs.test.ts runs the same agents in-process).
      expect(result).toMatchObject({ status: 'completed', output: 'Story: Open model beats benchmarks' });
      expect(callsOf(space)).toEqual(['search_news AI']);
      expect(second.completedCalls().map(withoutCallNumber)).toEqual(['search_news:call_N tool', 'model:3 model']);
      // Three requests in all, each to the agent whose turn it was.
      const instructions = requestsOf(fake, space).map((request) => (request.body as { instructions: string }).instructions);
      expect(instructions).toEqual(['You route requests.', 'You write the story.', 'You write the story.']);
    });
  });
});
