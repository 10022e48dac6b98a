import type { LanguageModelV4Prompt } from '@ai-sdk/provider';
import { planReading, rankArticles, type RankedArticle } from './article-scoring.js';
import { writeBrief, type ReadStory } from './brief-writer.js';
import type { SearchHit } from './news-source.js';
import type { FetchUrlResult, InvestigateResult, SearchNewsResult } from './scout-tools.js';
import { parseScoutPrompt, type ScoutRequest } from './scout-request.js';

/** A tool call the scout decides to make. */
export interface PlannedToolCall {
  readonly toolName: string;
  readonly input: Record<string, unknown>;
}

/** The scout's next move: call tools (with a line saying why), or answer with the brief. */
export type ScoutDecision =
  { readonly type: 'tool-calls'; readonly text: string; readonly calls: readonly PlannedToolCall[] } | { readonly type: 'answer'; readonly text: string };

/** A tool call found in the conversation, with its result once the tool answered. */
interface HistoryCall {
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: Record<string, unknown>;
  readonly output?: unknown;
  readonly failed: boolean;
}

/**
 * Decides the scout's next step from the conversation so far, the way the instructions say:
 * search every interest, rank what was found, investigate the best articles one at a time, check the
 * top story at its primary source, then write the brief. It reads only the prompt (the request and
 * the tool results in it), so the same conversation always gives the same decision.
 *
 * @param toolNames - the tools the request offers; a step whose tool is missing is skipped.
 */
export function decideNextStep(prompt: LanguageModelV4Prompt, toolNames: ReadonlySet<string>, writer: string): ScoutDecision {
  const request = findRequest(prompt);
  if (!request) {
    return {
      type: 'answer',
      text: 'I am the offline News Scout model. I need a prompt that lists interests ("Find the news that matters for these interests:" followed by "- topic" lines) and says "Today is YYYY-MM-DD."',
    };
  }
  const history = toolHistory(prompt);
  const searches = history.filter((call) => call.toolName === 'search_news');
  if (searches.length === 0 && toolNames.has('search_news')) {
    return {
      type: 'tool-calls',
      text: `Searching the news for ${request.interests.map((interest) => `"${interest}"`).join(' and ')}.`,
      calls: request.interests.map((interest) => ({ toolName: 'search_news', input: { query: interest } })),
    };
  }
  const hits = searches.flatMap((call) => (call.failed ? [] : ((call.output as SearchNewsResult | undefined)?.results ?? []))) as SearchHit[];
  const ranked = rankArticles(hits, request);
  const plan = planReading(ranked, request.maxArticles);
  const investigated = new Map(history.filter((call) => call.toolName === 'investigate').map((call) => [String(call.input['url']), call]));
  const next = plan.picked.find((article) => !investigated.has(article.hit.url));
  if (next && toolNames.has('investigate')) {
    const position = plan.picked.indexOf(next) + 1;
    return {
      type: 'tool-calls',
      text: `Reading ${position} of ${plan.picked.length}: "${next.hit.title}" (${next.hit.source}, score ${next.score.total.toFixed(1)}/10).`,
      calls: [{ toolName: 'investigate', input: { url: next.hit.url } }],
    };
  }
  const read: ReadStory[] = plan.picked
    .map((article) => ({ article, call: investigated.get(article.hit.url) }))
    .filter((entry): entry is { article: RankedArticle; call: HistoryCall } => entry.call !== undefined && !entry.call.failed)
    .map(({ article, call }) => ({ article, investigation: call.output as InvestigateResult }));
  const top = read.find((story) => story.investigation.status < 400);
  const source = top?.investigation.links[0];
  const fetches = history.filter((call) => call.toolName === 'fetch_url');
  if (top && source && fetches.length === 0 && toolNames.has('fetch_url')) {
    return {
      type: 'tool-calls',
      text: `Checking the top story at its primary source: ${source.label}.`,
      calls: [{ toolName: 'fetch_url', input: { url: source.url } }],
    };
  }
  const check = fetches.find((call) => !call.failed);
  return {
    type: 'answer',
    text: writeBrief({
      request,
      searches: searches.length,
      found: ranked.length,
      read,
      discarded: plan.discarded,
      ...(top && source && check ? { primaryCheck: { storyUrl: top.article.hit.url, label: source.label, page: check.output as FetchUrlResult } } : {}),
      writer,
    }),
  };
}

/** The request, from the first user message that holds one. */
function findRequest(prompt: LanguageModelV4Prompt): ScoutRequest | undefined {
  for (const message of prompt) {
    if (message.role !== 'user') continue;
    const text = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    const request = parseScoutPrompt(text);
    if (request) return request;
  }
  return undefined;
}

/** Every tool call of the conversation, in order, with its result. */
function toolHistory(prompt: LanguageModelV4Prompt): HistoryCall[] {
  const calls: { toolCallId: string; toolName: string; input: Record<string, unknown> }[] = [];
  const results = new Map<string, { output: unknown; failed: boolean }>();
  for (const message of prompt) {
    if (message.role === 'assistant') {
      for (const part of message.content) {
        if (part.type === 'tool-call') calls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: toInput(part.input) });
      }
    }
    if (message.role === 'tool') {
      for (const part of message.content) {
        if (part.type !== 'tool-result') continue;
        const { output } = part;
        if (output.type === 'json') results.set(part.toolCallId, { output: output.value, failed: false });
        else if (output.type === 'text') results.set(part.toolCallId, { output: parseJson(output.value), failed: false });
        else results.set(part.toolCallId, { output: undefined, failed: true });
      }
    }
  }
  return calls.map((call) => {
    const result = results.get(call.toolCallId);
    return { ...call, ...(result ? { output: result.output } : {}), failed: !result || result.failed };
  });
}

function toInput(input: unknown): Record<string, unknown> {
  const value = typeof input === 'string' ? parseJson(input) : input;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
