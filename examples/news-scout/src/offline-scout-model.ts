import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { decideNextStep, type ScoutDecision } from './scout-decision.js';

/** The offline model's id, as it appears in checkpoints, usage and the brief. */
export const offlineModelId = 'keel-offline-scout';

/**
 * A cheaper-model stand-in for experiments: the same decisions, and a brief cut to its headlines
 * (what a smaller model writing tersely would give), so the same research costs fewer output tokens.
 */
export const terseOfflineModelId = 'keel-offline-scout-terse';

/**
 * A stand-in for a model that wanders: it asks one search more than the scout's plan (for the first
 * interest's "outlook"), a call no recorded run made. Experiments use it to show a miss.
 */
export const curiousOfflineModelId = 'keel-offline-scout-curious';

/** The offline model's provider name. */
export const offlineProvider = 'keel.offline';

/** Options of {@link OfflineScoutModel}. */
export interface OfflineScoutModelOptions {
  /** The id it reports (default `keel-offline-scout`). */
  readonly modelId?: string;
}

/**
 * A language model that needs no key and no network: a `LanguageModelV4` (ai 7's provider
 * specification) that reads its prompt — the interests, the date, the tool results so far — and
 * decides the scout's next step deterministically (see `decideNextStep`): plan searches, rank what
 * they found by relevance, recency and source, investigate the best articles, write the brief from
 * what it read. It is not a transcript: other interests, other tool results (a replay override, a
 * page that fails) give other decisions.
 *
 * Token usage is estimated at one token per four characters of prompt (tools included) and of
 * output, so cost accounting has something real to count.
 *
 * @example
 * ```ts
 * const agent = new ToolLoopAgent({ model: new OfflineScoutModel(), tools, instructions: scoutInstructions });
 * ```
 */
export class OfflineScoutModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4' as const;
  readonly provider = offlineProvider;
  readonly modelId: string;
  /** It reads no files or URLs itself. */
  readonly supportedUrls: Record<string, RegExp[]> = {};

  constructor(options: OfflineScoutModelOptions = {}) {
    this.modelId = options.modelId ?? offlineModelId;
  }

  /** One step of the scout: tool calls, or the brief. */
  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    options.abortSignal?.throwIfAborted();
    const { decision, content, usage, responseId } = this.#respond(options);
    return {
      content,
      finishReason: decision.type === 'tool-calls' ? { unified: 'tool-calls', raw: 'tool_calls' } : { unified: 'stop', raw: 'stop' },
      usage,
      response: { id: responseId, modelId: this.modelId },
      warnings: [],
    };
  }

  /** The same step as {@link doGenerate}, as a stream of parts (text in small deltas, tool inputs whole). */
  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    options.abortSignal?.throwIfAborted();
    const { decision, content, usage, responseId } = this.#respond(options);
    const parts: LanguageModelV4StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      { type: 'response-metadata', id: responseId, modelId: this.modelId },
    ];
    for (const part of content) {
      if (part.type === 'text') {
        const id = `${responseId}-text`;
        parts.push({ type: 'text-start', id });
        for (const delta of part.text.match(/[^\n]*\n|[^\n]+/g) ?? []) parts.push({ type: 'text-delta', id, delta });
        parts.push({ type: 'text-end', id });
      }
      if (part.type === 'tool-call') {
        parts.push(
          { type: 'tool-input-start', id: part.toolCallId, toolName: part.toolName },
          { type: 'tool-input-delta', id: part.toolCallId, delta: part.input },
          { type: 'tool-input-end', id: part.toolCallId },
          part,
        );
      }
    }
    parts.push({
      type: 'finish',
      usage,
      finishReason: decision.type === 'tool-calls' ? { unified: 'tool-calls', raw: 'tool_calls' } : { unified: 'stop', raw: 'stop' },
    });
    return {
      stream: new ReadableStream<LanguageModelV4StreamPart>({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      }),
    };
  }

  #respond(options: LanguageModelV4CallOptions): {
    decision: ScoutDecision;
    content: LanguageModelV4Content[];
    usage: LanguageModelV4Usage;
    responseId: string;
  } {
    const toolNames = new Set((options.tools ?? []).map((tool) => tool.name));
    const decision = styled(decideNextStep(options.prompt, toolNames, this.modelId), this.modelId);
    // Ids continue the conversation's numbering (call_1, call_2 …): the same history gives the same ids.
    let callNumber = options.prompt.reduce(
      (count, message) => count + (message.role === 'assistant' ? message.content.filter((part) => part.type === 'tool-call').length : 0),
      0,
    );
    const step = options.prompt.filter((message) => message.role === 'assistant').length + 1;
    const content: LanguageModelV4Content[] = [{ type: 'text', text: decision.text }];
    if (decision.type === 'tool-calls') {
      for (const call of decision.calls) {
        callNumber += 1;
        content.push({ type: 'tool-call', toolCallId: `call_${callNumber}`, toolName: call.toolName, input: JSON.stringify(call.input) });
      }
    }
    const promptCharacters = JSON.stringify(options.prompt).length + JSON.stringify(options.tools ?? []).length;
    const outputCharacters = content.reduce(
      (total, part) => total + (part.type === 'text' ? part.text.length : part.type === 'tool-call' ? part.toolName.length + part.input.length : 0),
      0,
    );
    return { decision, content, usage: estimatedUsage(promptCharacters, outputCharacters), responseId: `offline-step-${step}` };
  }
}

/** The decision of the variant this model id names (see {@link terseOfflineModelId}, {@link curiousOfflineModelId}). */
function styled(decision: ScoutDecision, modelId: string): ScoutDecision {
  if (modelId === terseOfflineModelId && decision.type === 'answer') return { type: 'answer', text: terseBrief(decision.text) };
  if (modelId === curiousOfflineModelId && decision.type === 'tool-calls' && decision.calls.every((call) => call.toolName === 'search_news')) {
    const first = decision.calls[0]?.input['query'];
    if (typeof first === 'string') return { ...decision, calls: [...decision.calls, { toolName: 'search_news', input: { query: `${first} outlook` } }] };
  }
  return decision;
}

/** A brief cut to its title, byline, section and story headings, and digest lines. */
function terseBrief(brief: string): string {
  const kept = brief.split('\n').filter((line) => line.startsWith('#') || line.startsWith('*') || line.startsWith('- **'));
  return `${kept.map((line) => line.replace(/: .*? <(https?:[^>]+)>$/, ' <$1>')).join('\n')}\n`;
}

/** Usage at one token per four characters, the usual rule of thumb for English text. */
function estimatedUsage(promptCharacters: number, outputCharacters: number): LanguageModelV4Usage {
  const input = Math.ceil(promptCharacters / 4);
  const output = Math.ceil(outputCharacters / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}
