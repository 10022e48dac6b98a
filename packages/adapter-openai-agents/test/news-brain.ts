import type { FakeRequest, FakeTurn } from '@keel/testkit';

/** The text of a tool output as the Responses API carries it (a string, or content parts). */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.map(outputText).join('');
  if (output && typeof output === 'object' && 'text' in output) return String((output as { text: unknown }).text);
  return JSON.stringify(output);
}

interface ResponsesItem {
  readonly type?: string;
  readonly call_id?: string;
  readonly name?: string;
  readonly output?: unknown;
}

/** The last tool output in a Responses request, with the name of the tool that produced it. */
export function lastToolOutput(request: FakeRequest): { name: string; text: string } | undefined {
  const items = (request.body as { input?: ResponsesItem[] }).input ?? [];
  const output = [...items].reverse().find((item) => item.type === 'function_call_output');
  if (!output) return undefined;
  const call = items.find((item) => item.type === 'function_call' && item.call_id === output.call_id);
  return { name: call?.name ?? '?', text: outputText(output.output) };
}

/**
 * The fake model behind the scenario agents: it answers from the request (the agent's instructions
 * and the last tool output), so any request — a first one or one repeated after a crash — gets the
 * same kind of answer.
 */
export function newsBrain(request: FakeRequest): FakeTurn | string {
  const instructions = String((request.body as { instructions?: unknown }).instructions ?? '');
  const last = lastToolOutput(request);
  if (instructions.includes('find the most important')) {
    if (!last) return { toolCalls: [{ name: 'search_news', arguments: { topic: 'AI' } }] };
    if (last.name === 'search_news') return { toolCalls: [{ name: 'score_story', arguments: { headline: (JSON.parse(last.text) as string[])[0]! } }] };
    return { text: `Top story: Open model beats benchmarks (score ${last.text})` };
  }
  if (instructions.includes('route')) return { toolCalls: [{ name: 'transfer_to_news_writer', arguments: {} }] };
  if (instructions.includes('write the story')) {
    if (last?.name === 'search_news') return `Story: ${(JSON.parse(last.text) as string[])[0]!}`;
    return { toolCalls: [{ name: 'search_news', arguments: { topic: 'AI' } }] };
  }
  if (instructions.includes('publish')) {
    if (!last) return { toolCalls: [{ name: 'publish_story', arguments: { headline: 'Open model beats benchmarks' } }] };
    return `Editor: ${last.text}`;
  }
  throw new Error(`news brain: unexpected instructions ${instructions}`);
}

/** A script that answers every request with {@link newsBrain}. */
export function newsScript(turns = 40): Array<(request: FakeRequest) => FakeTurn | string> {
  return Array.from({ length: turns }, () => newsBrain);
}
