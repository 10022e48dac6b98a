import type { FakeRequest, FakeTurn } from '@keel/testkit';

/** The tool the model called last in this request's history, for Chat Completions and Responses bodies. */
export function lastToolCalled(request: FakeRequest): string | undefined {
  const body = request.body;
  if (Array.isArray(body.messages)) {
    for (const message of [...body.messages].reverse()) {
      if (message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length) return message.tool_calls[0].function.name;
    }
    return undefined;
  }
  if (Array.isArray(body.input)) {
    for (const item of [...body.input].reverse()) if (item.type === 'function_call') return item.name;
  }
  return undefined;
}

/** The text of the last tool result in this request (Chat Completions or Responses). */
export function lastToolOutput(request: FakeRequest): string {
  const body = request.body;
  if (Array.isArray(body.messages)) {
    const message = [...body.messages].reverse().find((candidate) => candidate.role === 'tool');
    return typeof message?.content === 'string' ? message.content : JSON.stringify(message?.content);
  }
  const item = [...(body.input as { type: string; output?: unknown }[])].reverse().find((candidate) => candidate.type === 'function_call_output');
  return typeof item?.output === 'string' ? item.output : JSON.stringify(item?.output);
}

export const newsUrls = ['https://news.example/1', 'https://news.example/2'];

/**
 * The news agent's model, answering from the request (never from arrival order), so a run resumed in
 * another process gets the same answers however many calls it replays: search, then read both pages
 * (two calls in one step), then rank, then the final text.
 */
export function newsTurn(request: FakeRequest): FakeTurn {
  const usage = { inputTokens: 100 * newsStep(request), outputTokens: 7 };
  switch (lastToolCalled(request)) {
    case undefined:
      return { toolCalls: [{ name: 'searchNews', arguments: { topic: 'AI' } }], usage };
    case 'searchNews':
      return { text: 'Reading both.', toolCalls: newsUrls.map((url) => ({ name: 'readPage', arguments: { url } })), usage };
    case 'readPage':
      return { toolCalls: [{ name: 'rankStories', arguments: { urls: newsUrls } }], usage };
    default:
      return { text: `The most important AI news: ${lastToolOutput(request)}`, usage };
  }
}

/** A script of `count` news turns (more than a run needs: re-sent calls after a crash use turns too). */
export function newsScript(count = 12): ((request: FakeRequest) => FakeTurn)[] {
  return Array.from({ length: count }, () => newsTurn);
}

/** Which model step a request is (1-based), from the tool the model called last. */
export function newsStep(request: FakeRequest): number {
  return { searchNews: 2, readPage: 3, rankStories: 4 }[lastToolCalled(request) ?? ''] ?? 1;
}

/** A news script whose request number `index` (0-based) is answered only once `release` resolves: a call held in flight. */
export function newsScriptHolding(index: number, release: Promise<void>): ((request: FakeRequest) => FakeTurn | Promise<FakeTurn>)[] {
  const script: ((request: FakeRequest) => FakeTurn | Promise<FakeTurn>)[] = newsScript();
  script[index] = async (request) => {
    await release;
    return newsTurn(request);
  };
  return script;
}
