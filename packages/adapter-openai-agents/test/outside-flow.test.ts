import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeLLMOptions } from '@keel/testkit';
import { Agent, RunResult, tool } from '@openai/agents';
import { afterEach, expect, test } from 'vitest';
import { z } from 'zod';
import { AgentRunWaitingError, durable, type DurableAgentOptions } from '@keel/adapter-openai-agents';
import { providerFor } from './fake-provider.js';
import { lastToolOutput } from './news-brain.js';

const fakes: FakeLLM[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.stop()));
});

async function fakeServer(script: FakeLLMOptions['script']): Promise<FakeLLM> {
  const fake = await startFakeLLM({ script });
  fakes.push(fake);
  return fake;
}

function translator(fake: FakeLLM, needsApproval: boolean, options: Omit<DurableAgentOptions, 'runtime' | 'runConfig'> = {}) {
  const runtime = createRuntime({ store: memoryStore() });
  const executions: string[] = [];
  const translate = tool({
    name: 'translate',
    description: 'Translates a text to Italian.',
    parameters: z.object({ text: z.string() }),
    needsApproval,
    execute: async ({ text }) => {
      executions.push(text);
      return `ciao (${text})`;
    },
  });
  const agent = durable(new Agent({ name: 'translator', instructions: 'You translate.', model: 'gpt-4o', tools: [translate] }), {
    ...options,
    runConfig: { modelProvider: providerFor(fake) },
    runtime,
  });
  return { agent, runtime, executions };
}

const translateScript: FakeLLMOptions['script'] = [
  { toolCalls: [{ name: 'translate', arguments: { text: 'hello' } }] },
  (request) => `Translated: ${lastToolOutput(request)!.text}`,
];

test('a run outside a flow opens an execution of its own and returns the SDK’s RunResult', async () => {
  const fake = await fakeServer(translateScript);
  const { agent, runtime } = translator(fake, false);
  const result = await agent.run('Say hello in Italian');
  expect(result).toBeInstanceOf(RunResult);
  expect(result.finalOutput).toBe('Translated: ciao (hello)');
  const executions = await runtime.executions.list({ flow: 'translator' });
  expect(executions).toHaveLength(1);
  expect(executions[0]!.status).toBe('completed');
  expect((await runtime.executions.checkpoints(executions[0]!.id)).map((checkpoint) => checkpoint.id)).toEqual(['model:1', 'translate:call_1', 'model:2']);
});

test('a run outside a flow that stops for an approval rejects with the execution and its wait; after the decision the same call continues it', async () => {
  const fake = await fakeServer(translateScript);
  const { agent, runtime, executions } = translator(fake, true);
  const stopped = await agent.run('Say hello in Italian').then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(AgentRunWaitingError.isInstance(stopped)).toBe(true);
  const waiting = stopped as AgentRunWaitingError;
  expect(waiting.agent).toBe('translator');
  expect(waiting.waits).toEqual([
    expect.objectContaining({ name: 'translate', id: 'translate:1', question: 'Approve translator calling translate({"text":"hello"})?' }),
  ]);
  expect(waiting.message).toContain(waiting.executionId);
  expect((await runtime.executions.get(waiting.executionId)).status).toBe('waiting');

  // Asking again before a decision stops at the same wait.
  await expect(agent.run('Say hello in Italian')).rejects.toMatchObject({ name: 'AgentRunWaitingError', executionId: waiting.executionId });

  await runtime.executions.input(waiting.executionId, 'translate', { approve: true });
  const result = await agent.run('Say hello in Italian');
  expect(result.finalOutput).toBe('Translated: ciao (hello)');
  expect(executions).toEqual(['hello']);
  expect(fake.requests).toHaveLength(2);
  expect(await runtime.executions.list({ flow: 'translator' })).toHaveLength(1);
});

test('a run outside a flow that failed rejects with the error; the same call later retries it, reusing the calls that completed', async () => {
  const fake = await fakeServer([translateScript[0]!, { fault: { status: 500 } }, translateScript[1]!]);
  const { agent, runtime, executions } = translator(fake, false);
  await expect(agent.run('Say hello in Italian')).rejects.toMatchObject({ status: 500 });
  const [failed] = await runtime.executions.list({ flow: 'translator' });
  expect(failed!.status).toBe('failed');

  const result = await agent.run('Say hello in Italian');
  expect(result.finalOutput).toBe('Translated: ciao (hello)');
  expect(executions).toEqual(['hello']);
  expect(fake.requests.map((request) => request.outcome)).toEqual(['replied', 'failed', 'replied']);
  expect(await runtime.executions.list({ flow: 'translator' })).toEqual([expect.objectContaining({ id: failed!.id, status: 'completed' })]);
});

test('the flow’s name, the run’s identity and the approval question can be chosen', async () => {
  const fake = await fakeServer([...translateScript, ...translateScript]);
  const { agent, runtime } = translator(fake, true, {
    name: 'translations',
    key: ({ input }) => `ticket-${String(input).length}`,
    approvals: { question: (request) => `May ${request.agent} translate ${request.arguments}?` },
  });
  // 'Say hello in Italian' is 20 characters: the option's key function names the run `ticket-20`.
  const stopped = (await agent.run('Say hello in Italian').catch((error: unknown) => error)) as AgentRunWaitingError;
  expect(stopped.waits[0]!.question).toBe('May translator translate {"text":"hello"}?');
  const [execution] = await runtime.executions.list({ flow: 'translations' });
  expect(execution).toMatchObject({ id: stopped.executionId, metadata: { 'keel.key': 'ticket-20' } });
  await runtime.executions.input(stopped.executionId, 'translate', { approve: false, reason: 'not today' });
  // The key finds the execution; the input must still be the one it recorded, or the run diverges.
  // A run's own key wins over the option's.
  await expect(agent.run('Say hello in French', { key: 'ticket-20' })).rejects.toMatchObject({ name: 'DivergenceError' });
  const result = await agent.run('Say hello in Italian', { key: 'ticket-20' });
  expect(result.finalOutput).toBe('Translated: not today');
  expect(await runtime.executions.list({ flow: 'translations' })).toHaveLength(1);
});
