import type { LanguageModelV4CallOptions, LanguageModelV4Prompt, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { generateText, isStepCount, streamText } from 'ai';
import { describe, expect, test } from 'vitest';
import { rankArticles, scoreArticle } from '../src/article-scoring.js';
import { CallObserver } from '../src/call-observer.js';
import { corpusAsOf } from '../src/corpus/news-corpus.js';
import type { SearchHit } from '../src/news-source.js';
import { offlineNewsSource } from '../src/offline-news-source.js';
import { OfflineScoutModel } from '../src/offline-scout-model.js';
import { scoutInstructions, scoutPrompt } from '../src/scout-request.js';
import { createScoutTools } from '../src/scout-tools.js';

const tools = [
  { type: 'function' as const, name: 'search_news', inputSchema: { type: 'object' as const } },
  { type: 'function' as const, name: 'investigate', inputSchema: { type: 'object' as const } },
  { type: 'function' as const, name: 'fetch_url', inputSchema: { type: 'object' as const } },
];

function hit(overrides: Partial<SearchHit> & Pick<SearchHit, 'url' | 'title'>): SearchHit {
  return { source: 'x', publishedAt: '2026-11-23', snippet: '', tags: [], ...overrides };
}

/** A conversation after the model searched once and got `results` back. */
function afterSearch(interests: string[], results: SearchHit[], maxArticles = 2): LanguageModelV4CallOptions {
  const prompt: LanguageModelV4Prompt = [
    { role: 'system', content: scoutInstructions },
    { role: 'user', content: [{ type: 'text', text: scoutPrompt({ interests, asOf: '2026-11-24', maxArticles }) }] },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'search_news', input: { query: interests[0] } }] },
    {
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: 'call_1', toolName: 'search_news', output: { type: 'json', value: { query: interests[0], results } as never } },
      ],
    },
  ];
  return { prompt, tools };
}

const fresh = hit({
  url: 'https://northwindwire.example/a/robot-fleet',
  title: 'Robot fleet doubles warehouse output',
  tags: ['robotics'],
  snippet: 'A robot fleet doubled output.',
  publishedAt: '2026-11-23',
});
const hype = hit({
  url: 'https://morningbyte.example/a/robots-everywhere',
  title: 'Robots will take every job, robot fan says',
  tags: ['robotics'],
  snippet: 'Robots everywhere, says a robot fan.',
  publishedAt: '2026-11-24',
});
const stale = hit({
  url: 'https://servoweekly.example/a/old-robot-news',
  title: 'Robot arm sets a speed record',
  tags: ['robotics'],
  snippet: 'A robot arm was fast.',
  publishedAt: '2026-09-01',
});
const offTopic = hit({
  url: 'https://carbondesk.example/a/grid',
  title: 'Grid batteries get cheaper',
  tags: ['climate'],
  snippet: 'Batteries.',
  publishedAt: '2026-11-24',
});

describe('OfflineScoutModel', () => {
  test('is a LanguageModelV4 with its own id and provider', () => {
    const model = new OfflineScoutModel();
    expect(model.specificationVersion).toBe('v4');
    expect(model.modelId).toBe('keel-offline-scout');
    expect(model.provider).toBe('keel.offline');
  });

  test('plans one search per interest from the prompt', async () => {
    const model = new OfflineScoutModel();
    const result = await model.doGenerate({
      prompt: [
        { role: 'user', content: [{ type: 'text', text: scoutPrompt({ interests: ['chips', 'climate', 'biotech'], asOf: '2026-11-24', maxArticles: 3 }) }] },
      ],
      tools,
    });
    const calls = result.content.filter((part) => part.type === 'tool-call');
    expect(calls.map((call) => [call.toolName, JSON.parse(call.input), call.toolCallId])).toEqual([
      ['search_news', { query: 'chips' }, 'call_1'],
      ['search_news', { query: 'climate' }, 'call_2'],
      ['search_news', { query: 'biotech' }, 'call_3'],
    ]);
    expect(result.finishReason.unified).toBe('tool-calls');
  });

  test('investigates the highest-scored article first: relevant, fresh and well sourced beats hype and old news', async () => {
    const model = new OfflineScoutModel();
    const options = afterSearch(['robotics'], [hype, stale, offTopic, fresh]);
    const result = await model.doGenerate(options);
    const call = result.content.find((part) => part.type === 'tool-call');
    expect(call?.toolName).toBe('investigate');
    expect(JSON.parse(call!.input as string)).toEqual({ url: fresh.url });
    expect(call?.toolCallId).toBe('call_2');
    // The scores behind it: the hype outlet is fresher and as relevant, but its source score sinks it.
    const ranked = rankArticles([hype, stale, offTopic, fresh], { interests: ['robotics'], asOf: '2026-11-24' });
    expect(ranked[0]!.hit.url).toBe(fresh.url);
    expect(scoreArticle(hype, { interests: ['robotics'], asOf: '2026-11-24' }).source).toBeLessThan(
      scoreArticle(fresh, { interests: ['robotics'], asOf: '2026-11-24' }).source,
    );
    expect(scoreArticle(stale, { interests: ['robotics'], asOf: '2026-11-24' }).recency).toBe(0);
  });

  test('other interests give other picks (it reads the prompt, it does not replay a transcript)', async () => {
    const model = new OfflineScoutModel();
    const result = await model.doGenerate(afterSearch(['climate'], [hype, stale, offTopic, fresh]));
    const call = result.content.find((part) => part.type === 'tool-call');
    expect(JSON.parse(call!.input as string)).toEqual({ url: offTopic.url });
  });

  test('is deterministic: the same prompt gives the same answer, the same ids and the same usage', async () => {
    const options = afterSearch(['robotics'], [hype, stale, offTopic, fresh]);
    const first = await new OfflineScoutModel().doGenerate(options);
    const second = await new OfflineScoutModel().doGenerate(structuredClone(options));
    expect(second.content).toEqual(first.content);
    expect(second.usage).toEqual(first.usage);
  });

  test('reports usage at one token per four characters', async () => {
    const options = afterSearch(['robotics'], [fresh]);
    const result = await new OfflineScoutModel().doGenerate(options);
    const promptCharacters = JSON.stringify(options.prompt).length + JSON.stringify(options.tools).length;
    expect(result.usage.inputTokens.total).toBe(Math.ceil(promptCharacters / 4));
    const call = result.content.find((part) => part.type === 'tool-call');
    const text = result.content.find((part) => part.type === 'text');
    expect(result.usage.outputTokens.total).toBe(
      Math.ceil(((text?.type === 'text' ? text.text.length : 0) + 'investigate'.length + (call?.type === 'tool-call' ? call.input.length : 0)) / 4),
    );
  });

  test('doStream streams the same step: text deltas, the tool call, and a finish with the usage', async () => {
    const options = afterSearch(['robotics'], [hype, fresh]);
    const generated = await new OfflineScoutModel().doGenerate(options);
    const { stream } = await new OfflineScoutModel().doStream(options);
    const parts: LanguageModelV4StreamPart[] = [];
    for await (const part of stream as unknown as AsyncIterable<LanguageModelV4StreamPart>) parts.push(part);
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
    expect(text).toBe(generated.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''));
    // The hype outlet's story is found but not planned for reading: one read.
    expect(text).toMatch(/^Reading 1 of 1: "Robot fleet doubles warehouse output"/);
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual(generated.content.filter((part) => part.type === 'tool-call'));
    const finish = parts.find((part) => part.type === 'finish');
    expect(finish?.type === 'finish' && finish.usage).toEqual(generated.usage);
  });
});

describe('the offline scout, end to end with the real SDK and no Keel', () => {
  const run = (interests: string[]) =>
    generateText({
      model: new OfflineScoutModel(),
      system: scoutInstructions,
      prompt: scoutPrompt({ interests, asOf: corpusAsOf, maxArticles: 3 }),
      tools: createScoutTools(offlineNewsSource(), new CallObserver()),
      stopWhen: isStepCount(20),
    });

  test('searches, reads the top articles best first, checks the top story at its source, and writes the brief from what it read', async () => {
    const result = await run(['ai agents', 'robotics']);
    const calls = result.steps.flatMap((step) => step.toolCalls.map((call) => `${call.toolName} ${JSON.stringify(call.input)}`));
    expect(calls).toEqual([
      'search_news {"query":"ai agents"}',
      'search_news {"query":"robotics"}',
      'investigate {"url":"https://helixreport.example/2026/11/21/autonomous-lab-enzyme-sprint"}',
      'investigate {"url":"https://servoweekly.example/humanoids/kinetiq-1000-hours-no-reset"}',
      'investigate {"url":"https://northwindwire.example/business/2026-11-21/insurers-ai-agent-audit-trails"}',
      'fetch_url {"url":"https://autolab.brightwater.example/papers/enzyme-sprint"}',
    ]);
    expect(result.text).toMatch(/^# News Scout brief: ai agents, robotics/);
    expect(result.text).toContain('### 1. Lab robots and an AI planner ran 4,000 enzyme experiments in a week');
    // Quoted from the investigated page, not made up.
    expect(result.text).toContain('Hours between resets is the number warehouse buyers watch most');
    expect(result.text).toContain('**Checked at the source**');
    // The hype outlet's stories are found but not read.
    expect(result.text).toMatch(/AI agents will replace every office job by spring.*less reliable source/);
    expect(result.totalUsage.inputTokens).toBeGreaterThan(1000);
  });

  test('the same request gives the same brief; streaming gives it too', async () => {
    const first = await run(['climate', 'chips']);
    const second = await run(['climate', 'chips']);
    expect(second.text).toBe(first.text);
    expect(first.text).toContain('# News Scout brief: climate, chips');
    expect(first.text).toContain('Veridian tapes out a 2 nm inference chip');
    const streamed = streamText({
      model: new OfflineScoutModel(),
      system: scoutInstructions,
      prompt: scoutPrompt({ interests: ['climate', 'chips'], asOf: corpusAsOf, maxArticles: 3 }),
      tools: createScoutTools(offlineNewsSource(), new CallObserver()),
      stopWhen: isStepCount(20),
    });
    expect(await streamed.text).toBe(first.text);
  });
});
