import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { createRuntime, lowdbStore, memoryStore, type PendingWait, type Runtime } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { z } from 'zod';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { approvalGate, ApprovalOutsideFlowError, durableAnthropic, durableTool } from '@keel/adapter-raw';
import { jsonLine, killAllChildren, startChild } from '@keel/testkit';
import { toolResultsOf } from './fixtures/news-script.js';

const fixture = new URL('./fixtures/approval-loop.mjs', import.meta.url).pathname;
const folders: string[] = [];
let fake: FakeLLM | undefined;
let runtime: Runtime | undefined;

afterEach(async () => {
  await killAllChildren();
  await fake?.stop();
  await runtime?.close();
  fake = undefined;
  runtime = undefined;
});

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Searches and asks to publish in turn 1; then reports what each tool call returned. */
function scoutReply(request: FakeRequest) {
  const results = toolResultsOf(request);
  if (results.length === 0) {
    return {
      toolCalls: [
        { name: 'search_news', arguments: { query: 'keel' } },
        { name: 'publish_brief', arguments: { title: 'Keel ships' } },
      ],
    };
  }
  return `Done: ${results.map((result) => `${result.is_error ? 'ERROR ' : ''}${String(result.content)}`).join(' | ')}`;
}

async function runUntilApproval() {
  fake = await startFakeLLM({ script: Array(4).fill(scoutReply) });
  const folder = mkdtempSync(join(tmpdir(), 'keel-raw-approval-'));
  folders.push(folder);
  const paths = { store: join(folder, '.keel'), toolLog: join(folder, 'tools.log') };
  const first = startChild(fixture, [paths.store, fake.origin, paths.toolLog, 'run']);
  const exit = await first.exited;
  expect(exit.code, exit.stderr).toBe(0);
  const waiting = jsonLine(exit.stdout, 'result') as { executionId: string; status: string; waits: PendingWait[] };
  return { fake, ...paths, waiting };
}

async function decide(store: string, executionId: string, decision: { approve: boolean; reason?: string }) {
  const operator = createRuntime({ store: lowdbStore(store) });
  try {
    await operator.executions.input(executionId, 'approve_publish_brief', decision, { resolvedBy: 'editor@example.com' });
  } finally {
    await operator.close();
  }
}

function toolLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('approvals in a hand-written loop, across a process restart', () => {
  it('stops at the gated tool call with a wait that describes it; the other tool call already ran', async () => {
    const { fake, toolLog, waiting } = await runUntilApproval();
    expect(waiting.status).toBe('waiting');
    expect(waiting.waits).toHaveLength(1);
    expect(waiting.waits[0]).toMatchObject({
      name: 'approve_publish_brief',
      id: 'approve_publish_brief:1',
      question: 'Publish "Keel ships"?',
      metadata: { toolUseId: 'toolu_2', toolName: 'publish_brief', input: { title: 'Keel ships' } },
      schema: { type: 'object', properties: { approve: { type: 'boolean' }, reason: { type: 'string' } }, required: ['approve'] },
    });
    expect(toolLines(toolLog)).toEqual(['search_news keel']);
    expect(fake.requests).toHaveLength(1);
  });

  it('approved in another process: the tool runs once and the model gets its result', async () => {
    const { fake, store, toolLog, waiting } = await runUntilApproval();
    await decide(store, waiting.executionId, { approve: true });

    const second = startChild(fixture, [store, fake.origin, toolLog, 'recover']);
    const exit = await second.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(jsonLine(exit.stdout, 'result')).toMatchObject({ status: 'completed', output: 'Done: headlines about keel | published "Keel ships"' });
    expect(toolLines(toolLog)).toEqual(['search_news keel', 'publish_brief Keel ships']);
    // The first model call was not made again after the restart.
    expect(fake.requests).toHaveLength(2);
  });

  it('rejected: the tool never runs and the model gets an is_error tool_result with the reason', async () => {
    const { fake, store, toolLog, waiting } = await runUntilApproval();
    await decide(store, waiting.executionId, { approve: false, reason: 'Needs legal review' });

    const second = startChild(fixture, [store, fake.origin, toolLog, 'recover']);
    const exit = await second.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(jsonLine(exit.stdout, 'result')).toMatchObject({
      status: 'completed',
      output: 'Done: headlines about keel | ERROR The user rejected this tool call: Needs legal review',
    });
    expect(toolLines(toolLog)).toEqual(['search_news keel']);
    expect(fake.requests).toHaveLength(2);
    expect(toolResultsOf(fake.requests[1]!)).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'headlines about keel' },
      { type: 'tool_result', tool_use_id: 'toolu_2', content: 'The user rejected this tool call: Needs legal review', is_error: true },
    ]);
  });
});

describe('approvals for the SDK tool runner and outside a flow', () => {
  it('gate.tool() makes a runnable tool wait; a rejection reaches the model as an error result', async () => {
    fake = await startFakeLLM({
      script: [{ toolCalls: [{ name: 'delete_repo', arguments: { name: 'keel' } }] }, (request) => `Result: ${JSON.stringify(toolResultsOf(request))}`],
    });
    runtime = createRuntime({ store: memoryStore() });
    const client = durableAnthropic(new Anthropic({ baseURL: fake.origin, apiKey: 'test', maxRetries: 0 }));
    let deleted = 0;
    const gate = approvalGate({ needsApproval: (toolUse) => toolUse.name.startsWith('delete_') });
    const deleteRepo = gate.tool(
      durableTool(
        betaZodTool({
          name: 'delete_repo',
          description: 'Deletes a repository',
          inputSchema: z.object({ name: z.string() }),
          run: () => {
            deleted++;
            return 'deleted';
          },
        }),
      ),
    );
    const agent = runtime.flow('janitor', async () => {
      const final = await client.beta.messages.toolRunner({
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Clean up' }],
        tools: [deleteRepo],
      });
      return (final.content[0] as { text: string }).text;
    });
    const first = await agent.run(undefined);
    expect(first.status).toBe('waiting');
    expect(first.waits!.map((wait) => wait.id)).toEqual(['approve_delete_repo:1']);
    await runtime.executions.input(first.executionId, 'approve_delete_repo:1', { approve: false, reason: 'keep it' });
    const resumed = await agent.resume(first.executionId);
    expect(resumed.output).toBe(
      `Result: ${JSON.stringify([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'The user rejected this tool call: keep it', is_error: true }])}`,
    );
    expect(deleted).toBe(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('a gated call outside a flow throws ApprovalOutsideFlowError; an ungated one just runs', async () => {
    const gate = approvalGate({ needsApproval: ['publish'] });
    await expect(gate.run({ id: 'toolu_1', name: 'publish', input: {} }, () => 'published')).rejects.toThrow(ApprovalOutsideFlowError);
    // Content blocks go to the model as they are; any other value as JSON text.
    const blocks = [{ type: 'text', text: 'a' }];
    expect(await gate.run({ id: 'toolu_2', name: 'search', input: {} }, () => blocks)).toEqual({
      type: 'tool_result',
      tool_use_id: 'toolu_2',
      content: blocks,
    });
    expect(await gate.run({ id: 'toolu_3', name: 'search', input: {} }, () => ['a', 'b'])).toEqual({
      type: 'tool_result',
      tool_use_id: 'toolu_3',
      content: '["a","b"]',
    });
  });
});
