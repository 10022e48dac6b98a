import { createRuntime, memoryStore } from '@keel/core';
import { startFakeLLM, type FakeLLM, type FakeRequest, type FakeScriptEntry } from '@keel/testkit';
import { ToolLoopAgent } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatHandlers } from '../src/chat/index.js';
import { chatPost, chunksOf, gate, messageOf, textOf, userMessage } from './support/chat-client.js';
import { lastToolOutput, newsScript, newsScriptHolding } from './support/news-script.js';
import { ai7Sdk, newsTools } from './support/sdk-under-test.js';

const finalText = 'The most important AI news: https://news.example/2 leads';

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

function newsChat(script: FakeScriptEntry[] = newsScript()) {
  return startFakeLLM({ script }).then((started) => {
    fake = started;
    const calls: string[] = [];
    const runtime = createRuntime({ store: memoryStore() });
    const agent = new ToolLoopAgent({ model: ai7Sdk.model(started.url), tools: newsTools(ai7Sdk, calls), instructions: 'Be brief.' });
    return { runtime, calls, chat: createChatHandlers({ agent, runtime }) };
  });
}

describe('chat handlers', () => {
  it('POST streams the turn as a UI message stream, and the conversation is stored', async () => {
    const { chat, calls } = await newsChat();
    const question = userMessage('u1', 'Find the most important AI news');
    const response = await chat.fetch(chatPost('c1', [question]));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const chunks = await chunksOf(response);
    expect(chunks[0]).toEqual({ type: 'start', messageId: 'chat-c1-1' });
    const answer = await messageOf(chunks);
    expect(textOf(answer)).toContain(finalText);
    expect(calls).toHaveLength(4);
    expect(fake!.requests).toHaveLength(4);

    const stored = await chat.messages('c1');
    expect(stored.map((message) => `${message.role} ${message.id}`)).toEqual(['user u1', 'assistant chat-c1-1']);
    expect(textOf(stored[1]!)).toBe(textOf(answer));
    // A finished turn: nothing to reconnect to.
    expect((await chat.fetch(new Request('http://chat.test/api/chat/c1/stream'))).status).toBe(204);
  });

  it('the second turn sends the stored conversation to the model and stores only its new messages', async () => {
    const { chat, runtime } = await newsChat([...newsScript(4), 'Anything else?']);
    const first = userMessage('u1', 'Find the most important AI news');
    await chunksOf(await chat.fetch(chatPost('c2', [first])));
    const history = await chat.messages('c2');
    const second = userMessage('u2', 'Thanks');
    const answer = await messageOf(await chunksOf(await chat.fetch(chatPost('c2', [...history, second]))));
    expect(textOf(answer)).toBe('Anything else?');
    const sent = fake!.requests[4]!.body.messages as { role: string; content: unknown }[];
    expect(sent.filter((message) => message.role === 'user').map((message) => message.content)).toEqual(['Find the most important AI news', 'Thanks']);
    expect((await runtime.executions.get('chat-c2-2')).input).toEqual({ chatId: 'c2', turn: 2, messages: [second] });
    expect((await chat.messages('c2')).map((message) => message.id)).toEqual(['u1', 'chat-c2-1', 'u2', 'chat-c2-2']);
  });

  it('GET …/stream gives a reconnecting client every chunk of the running turn from the start', async () => {
    const held = gate();
    const { chat } = await newsChat(newsScriptHolding(1, held.opened));
    const posted = await chat.fetch(chatPost('c3', [userMessage('u1', 'Find the most important AI news')]));
    await fake!.waitForRequests(2);
    const reconnected = await chat.fetch(new Request('http://chat.test/api/chat/c3/stream'));
    expect(reconnected.status).toBe(200);
    // While the turn runs, the page loads the question only; the stream brings the answer.
    expect((await chat.messages('c3')).map((message) => message.id)).toEqual(['u1']);
    held.open();
    const [original, again] = await Promise.all([chunksOf(posted), chunksOf(reconnected)]);
    expect(again).toEqual(original);
    expect(textOf(await messageOf(again))).toContain(finalText);
    expect(fake!.requests).toHaveLength(4);
  });

  it('DELETE …/stream stops the turn: its execution is cancelled and the stream ends with abort', async () => {
    const held = gate();
    const { chat, runtime } = await newsChat(newsScriptHolding(1, held.opened));
    const posted = await chat.fetch(chatPost('c4', [userMessage('u1', 'Find the most important AI news')]));
    await fake!.waitForRequests(2);
    const stopped = await chat.fetch(new Request('http://chat.test/api/chat/c4/stream', { method: 'DELETE' }));
    expect(await stopped.json()).toEqual({ executionId: 'chat-c4-1', status: 'cancelling' });
    const chunks = await chunksOf(posted);
    expect(chunks.at(-1)).toMatchObject({ type: 'abort' });
    expect((await runtime.executions.get('chat-c4-1')).status).toBe('cancelled');
    held.open();
    // A new message after a stop starts the next turn.
    const history = await chat.messages('c4');
    const next = await chat.fetch(chatPost('c4', [...history, userMessage('u2', 'Try again')]));
    expect(next.status).toBe(200);
    await chunksOf(next);
    expect((await runtime.executions.get('chat-c4-2')).status).toBe('completed');
  });

  describe('bad input: an error in the protocol format, nothing lost', () => {
    it('a reconnect for an unknown chat id is a 404 naming the chat', async () => {
      const { chat } = await newsChat();
      const response = await chat.fetch(new Request('http://chat.test/api/chat/nobody/stream'));
      expect(response.status).toBe(404);
      expect(response.headers.get('x-keel-error')).toBe('ChatNotFoundError');
      expect(await response.text()).toMatch(/No chat "nobody" in this store/);
      const invalid = await chat.fetch(new Request('http://chat.test/api/chat/..%2Fetc/stream'));
      expect(invalid.status).toBe(404);
      expect(await invalid.text()).toMatch(/not a valid chat id/);
    });

    it('a POST with malformed messages is a 400 saying what is wrong, and stores nothing', async () => {
      const { chat, runtime } = await newsChat();
      const cases: [unknown, RegExp][] = [
        [{ id: 'c5', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text' }] }] }, /"messages" are not valid UI messages/],
        [{ id: 'c5', messages: 'hello' }, /"messages" are not valid UI messages/],
        [{ messages: [userMessage('u1', 'hi')] }, /"id" \(missing\) is not a chat id/],
        [{ id: 'c5', messages: [{ id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'hi' }] }] }, /not a new user message/],
      ];
      for (const [body, message] of cases) {
        const response = await chat.fetch(new Request('http://chat.test/api/chat', { method: 'POST', body: JSON.stringify(body) }));
        expect(response.status).toBe(400);
        expect(response.headers.get('x-keel-error')).toBe('ChatRequestInvalidError');
        expect(await response.text()).toMatch(message);
      }
      const notJson = await chat.fetch(new Request('http://chat.test/api/chat', { method: 'POST', body: '{' }));
      expect(await notJson.text()).toMatch(/body is not JSON/);
      expect(await (await runtime.store()).listExecutions()).toEqual([]);
      expect(fake!.requests).toHaveLength(0);
    });

    it('a second POST while a turn runs is a 409; the running turn completes untouched', async () => {
      const held = gate();
      const { chat } = await newsChat(newsScriptHolding(1, held.opened));
      const first = userMessage('u1', 'Find the most important AI news');
      const posted = await chat.fetch(chatPost('c6', [first]));
      await fake!.waitForRequests(2);
      const second = await chat.fetch(chatPost('c6', [first, userMessage('u2', 'Hello?')]));
      expect(second.status).toBe(409);
      expect(second.headers.get('x-keel-error')).toBe('ChatTurnBusyError');
      expect(await second.text()).toMatch(/last turn \(execution "chat-c6-1"\) is still answering/);
      held.open();
      expect(textOf(await messageOf(await chunksOf(posted)))).toContain(finalText);
      expect((await chat.messages('c6')).map((message) => message.id)).toEqual(['u1', 'chat-c6-1']);
    });
  });

  it('a tool approval is a Keel wait: the stream ends with the request, the answer continues the same message', async () => {
    fake = await startFakeLLM({
      script: [{ toolCalls: [{ name: 'deleteFile', arguments: { path: '/tmp/report.txt' } }] }, (request: FakeRequest) => `Result: ${lastToolOutput(request)}`],
    });
    const runtime = createRuntime({ store: memoryStore() });
    const deleted: string[] = [];
    const deleteFile = ai7Sdk.tool({
      description: 'Delete a file',
      inputSchema: (await import('zod')).z.object({ path: (await import('zod')).z.string() }),
      needsApproval: true,
      execute: async ({ path }: { path: string }) => {
        deleted.push(path);
        return `deleted ${path}`;
      },
    });
    const chat = createChatHandlers({ agent: new ToolLoopAgent({ model: ai7Sdk.model(fake.url), tools: { deleteFile } }), runtime });
    const question = userMessage('u1', 'Delete the report');
    const firstChunks = await chunksOf(await chat.fetch(chatPost('c7', [question])));
    const request = firstChunks.find((chunk) => chunk.type === 'tool-approval-request');
    expect(request).toMatchObject({ toolCallId: 'call_1' });
    expect(firstChunks.at(-1)).toEqual({ type: 'finish' });
    expect((await runtime.executions.get('chat-c7-1')).status).toBe('waiting');
    const shown = await messageOf(firstChunks);
    expect(shown.parts.find((part) => part.type === 'tool-deleteFile')).toMatchObject({ state: 'approval-requested' });
    // A reload shows the same pending approval, from the store.
    expect((await chat.messages('c7')).at(-1)).toEqual(shown);

    // The page answers (addToolApprovalResponse) and sends the conversation back.
    const answered = structuredClone(shown);
    const part = answered.parts.find((candidate) => candidate.type === 'tool-deleteFile') as Record<string, unknown>;
    part['state'] = 'approval-responded';
    part['approval'] = { ...(part['approval'] as object), approved: true };
    const rest = await chunksOf(await chat.fetch(chatPost('c7', [question, answered])));
    expect(rest.some((chunk) => chunk.type === 'start' || chunk.type === 'tool-input-available')).toBe(false);
    const final = await messageOf(rest, answered);
    expect(textOf(final)).toBe('Result: deleted /tmp/report.txt');
    expect(final.parts.filter((candidate) => candidate.type === 'tool-deleteFile')).toHaveLength(1);
    expect(deleted).toEqual(['/tmp/report.txt']);
    expect(fake.requests).toHaveLength(2);
    expect((await runtime.executions.get('chat-c7-1')).status).toBe('completed');
    expect(textOf((await chat.messages('c7')).at(-1)!)).toBe('Result: deleted /tmp/report.txt');
  });
});
