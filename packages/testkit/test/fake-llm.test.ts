import { afterEach, describe, expect, it } from 'vitest';

import { FakeTurnInvalidError, startFakeLLM, type FakeLLM, type FakeLLMOptions, type FakeTurn } from '@keel/testkit';

// Server behaviour that does not depend on a particular client, driven with plain fetch.

let fake: FakeLLM | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function start(options: FakeLLMOptions) {
  fake = await startFakeLLM(options);
  return fake;
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

// Provider bodies are read field by field, as a test would.
async function readJson(response: Response): Promise<any> {
  return response.json();
}

const chatBody = { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] };

describe('startFakeLLM', () => {
  it('listens on 127.0.0.1 and gives base URLs for each kind of client', async () => {
    const server = await start({ script: [] });
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.url).toBe(`${server.origin}/v1`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('rejects a malformed static turn before listening', async () => {
    const attempt = startFakeLLM({ script: ['fine', { fault: { status: 200 } } as FakeTurn] });
    await expect(attempt).rejects.toBeInstanceOf(FakeTurnInvalidError);
    await expect(attempt).rejects.toThrow('fake LLM script turn 1 is invalid: fault.status must be an HTTP error status');
    await expect(startFakeLLM({ script: [{ fault: { hang: true, status: 500 } } as unknown as FakeTurn] })).rejects.toThrow('exactly one of');
  });

  it('hands turn functions the recorded request and answers with what they return', async () => {
    const seen: unknown[] = [];
    const server = await start({
      script: [
        (request) => {
          seen.push([request.index, request.api, request.body['model']]);
          return { text: `echo ${request.body['messages'][0].content}` };
        },
        async () => 'async text',
      ],
    });
    const first = await readJson(await post(`${server.url}/chat/completions`, chatBody));
    const second = await readJson(await post(`${server.url}/chat/completions`, chatBody));
    expect(first.choices[0].message.content).toBe('echo Hi');
    expect(second.choices[0].message.content).toBe('async text');
    expect(seen).toEqual([[0, 'openai-chat', 'gpt-test']]);
    expect(server.remaining).toBe(0);
  });

  it('rejects, records, and uses up the turn when a turn function throws or returns garbage', async () => {
    const server = await start({
      script: [
        () => {
          throw new Error('no idea');
        },
        () => ({ toolCalls: 'nope' }) as unknown as FakeTurn,
        'third',
      ],
    });
    const thrown = await post(`${server.url}/chat/completions`, chatBody);
    const invalid = await post(`${server.url}/chat/completions`, chatBody);
    const third = await readJson(await post(`${server.url}/chat/completions`, chatBody));
    expect(thrown.status).toBe(400);
    expect(thrown.headers.get('x-should-retry')).toBe('false');
    expect((await readJson(thrown)).error.message).toBe('fake LLM script turn 0 (a function) threw: no idea');
    expect((await readJson(invalid)).error.message).toBe('fake LLM script turn 1 is invalid: `toolCalls` must be an array');
    expect(third.choices[0].message.content).toBe('third');
    expect(server.requests.map((request) => [request.turn, request.outcome])).toEqual([
      [0, 'rejected'],
      [1, 'rejected'],
      [2, 'replied'],
    ]);
  });

  it('rejects a request to another API than the turn expects', async () => {
    const server = await start({ script: [{ text: 'for anthropic', api: 'anthropic-messages' }] });
    const response = await post(`${server.url}/chat/completions`, chatBody);
    const body = await readJson(response);
    expect(response.status).toBe(400);
    expect(body.error.message).toContain('does not match script turn 0: the turn expects anthropic-messages; got POST /v1/chat/completions (openai-chat');
    expect(server.requests[0]?.scriptError).toBe(body.error.message);
  });

  it('answers an exhausted script at once, in the provider format of the request, with the count', async () => {
    const server = await start({ script: ['one', 'two'] });
    await post(`${server.url}/responses`, { model: 'gpt-test', input: 'a' });
    await post(`${server.url}/responses`, { model: 'gpt-test', input: 'b' });
    const response = await post(`${server.url}/responses`, { model: 'gpt-test', input: [{ role: 'user', content: 'third question' }], stream: true });
    expect(response.status).toBe(400);
    expect((await readJson(response)).error.message).toBe(
      'fake LLM script exhausted after 2 requests (all 2 turns used); last request: POST /v1/responses (openai-responses, model "gpt-test", streaming); last message: user: "third question"',
    );
    expect(server.requests.map((request) => request.outcome)).toEqual(['replied', 'replied', 'rejected']);
  });

  it('answers unknown paths with 404 and a hint, without using a turn', async () => {
    const server = await start({ script: ['kept'] });
    const anthropicMistake = await post(`${server.url}/v1/messages`, { model: 'claude-test', messages: [] }, { 'anthropic-version': '2023-06-01' });
    const missingVersion = await post(`${server.origin}/chat/completions`, chatBody);
    const models = await fetch(`${server.url}/models`);
    expect(anthropicMistake.status).toBe(404);
    const anthropicBody = await readJson(anthropicMistake);
    expect(anthropicBody.type).toBe('error');
    expect(anthropicBody.error.message).toContain('pass `fake.origin` as its baseURL');
    expect((await readJson(missingVersion)).error.message).toContain('the base URL is missing /v1');
    expect((await readJson(models)).error.message).toContain('fake LLM has no endpoint GET /v1/models');
    expect(server.requests.map((request) => [request.api, request.outcome])).toEqual([
      [null, 'rejected'],
      [null, 'rejected'],
      [null, 'rejected'],
    ]);
    expect(server.remaining).toBe(1);
  });

  it('rejects a body that is not a JSON object', async () => {
    const server = await start({ script: ['kept'] });
    const response = await post(`${server.url}/chat/completions`, 'not json');
    expect(response.status).toBe(400);
    expect(server.requests[0]).toMatchObject({ rawBody: 'not json', body: {}, outcome: 'rejected' });
    expect(server.remaining).toBe(1);
  });

  it('numbers tool call ids per server and per provider prefix', async () => {
    const script = [
      { toolCalls: [{ name: 'a' }, { name: 'b' }] },
      { toolCalls: [{ name: 'c', arguments: { x: 1 } }] },
      { toolCalls: [{ name: 'd', id: 'mine' }, { name: 'e' }] },
    ];
    const first = await start({ script });
    const second = await startFakeLLM({ script });
    try {
      const ids: string[][] = [];
      for (const server of [first, second]) {
        const chat = await readJson(await post(`${server.url}/chat/completions`, chatBody));
        const anthropic = await readJson(await post(`${server.url}/messages`, { model: 'claude-test', max_tokens: 1, messages: [] }));
        const chatAgain = await readJson(await post(`${server.url}/chat/completions`, chatBody));
        ids.push([
          ...chat.choices[0].message.tool_calls.map((call: { id: string }) => call.id),
          ...anthropic.content.map((block: { id: string }) => block.id),
          ...chatAgain.choices[0].message.tool_calls.map((call: { id: string }) => call.id),
        ]);
      }
      expect(ids).toEqual([
        ['call_1', 'call_2', 'toolu_1', 'mine', 'call_3'],
        ['call_1', 'call_2', 'toolu_1', 'mine', 'call_3'],
      ]);
    } finally {
      await second.stop();
    }
  });

  it('reports default usage from the request and output sizes', async () => {
    const server = await start({ script: [{ text: 'twelve chars' }, { toolCalls: [{ name: 'tool', arguments: { k: 'v' } }] }] });
    const text = await readJson(await post(`${server.url}/chat/completions`, chatBody));
    const call = await readJson(await post(`${server.url}/chat/completions`, chatBody));
    const inputTokens = Math.ceil(JSON.stringify(chatBody).length / 4);
    expect(text.usage).toMatchObject({ prompt_tokens: inputTokens, completion_tokens: 3, total_tokens: inputTokens + 3 });
    // "tool" + '{"k":"v"}' = 13 characters.
    expect(call.usage).toMatchObject({ completion_tokens: 4 });
  });

  it('records a client giving up on a hang, and stop() ends requests still waiting', async () => {
    const server = await start({ script: [{ text: 'too late', delayMs: 60_000 }, { fault: { hang: true } }] });
    const delayed = post(`${server.url}/chat/completions`, chatBody).catch((error: unknown) => error);
    await expect.poll(() => server.requests.length).toBe(1);
    const controller = new AbortController();
    const hung = fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody), signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await expect.poll(() => server.requests.length).toBe(2);
    controller.abort();
    expect(await hung).toBeInstanceOf(Error);
    await expect.poll(() => server.requests[1]?.aborted).toBe(true);
    expect(server.requests[1]?.outcome).toBe('hung');

    await server.stop();
    await server.stop();
    expect(await delayed).toBeInstanceOf(Error);
    expect(server.requests[0]).toMatchObject({ outcome: 'pending', aborted: false, status: null });
  });
});
