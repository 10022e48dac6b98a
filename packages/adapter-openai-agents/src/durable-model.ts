import { durableCall, durableStream, isFlowActive, requestFingerprint, type CheckpointContext } from '@keel/core/adapter';
import type { Model, ModelRequest, ModelResponse, ModelRetryAdviceRequest, StreamEvent } from '@openai/agents';
import { currentLane, type DurableLane } from './durable-lane.js';
import { normalizeModelRequest } from './model-request.js';
import { reportedModel, reviveModelResponse, storeModelResponse, storeStreamEvent, usageOf, type StoredModelResponse } from './model-response-codec.js';

const decorated = Symbol.for('keel.openai-agents.durable-model');

/**
 * A `Model` decorator: inside a durable run, every `getResponse` and `getStreamedResponse` is a
 * checkpoint of kind `model` named `model`, fingerprinted with a hash of the normalized request. On
 * resume the recorded response (or stream) is returned and the wrapped model is not called. Outside a
 * durable run it simply delegates.
 */
export class DurableModel implements Model {
  readonly [decorated] = true;
  /** Forwarded so the runner treats the decorator like the model it wraps. */
  readonly supportsPromptModelSelection?: boolean;
  /** Forwarded when the wrapped model has it (the runner checks for the method's presence). */
  readonly getRetryAdvice?: Model['getRetryAdvice'];

  constructor(
    /** The decorated model. */
    readonly inner: Model,
    /** The model name it was resolved from, if known (shown in records when the response lacks one). */
    readonly modelName?: string,
  ) {
    if (inner.supportsPromptModelSelection !== undefined) this.supportsPromptModelSelection = inner.supportsPromptModelSelection;
    if (typeof inner.getRetryAdvice === 'function') {
      this.getRetryAdvice = (args: ModelRetryAdviceRequest) => inner.getRetryAdvice!(args);
    }
  }

  /** Whether `model` is already a {@link DurableModel} (from any copy of this package). */
  static isDurable(model: unknown): boolean {
    return typeof model === 'object' && model !== null && (model as Record<symbol, unknown>)[decorated] === true;
  }

  /** The wrapped model's response: live the first time, from its record on resume and replay. */
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const lane = currentLane();
    if (!lane || !isFlowActive()) return this.inner.getResponse(request);
    const normalized = normalizeModelRequest(request);
    const { settings } = lane;
    const stored = await durableCall<StoredModelResponse>(
      {
        ...settings.retries('model', 'model'),
        name: 'model',
        kind: 'model',
        ...this.#fingerprints(normalized),
        input: settings.capturedInput('model', 'model', () => normalized),
        metadata: settings.metadata('model', 'model', { agent: lane.agent, model: this.modelName }),
      },
      async (context) => {
        const response = await this.inner.getResponse({ ...request, signal: combinedSignal(request.signal, context.signal) });
        const storedResponse = storeModelResponse(response);
        this.#recordUsage(lane, context, reportedModel(storedResponse.providerData), response.usage);
        return storedResponse;
      },
    );
    return reviveModelResponse(stored);
  }

  /**
   * The wrapped model's stream: passed through live and recorded once it ended; on resume and replay,
   * the recorded events as an equivalent stream.
   */
  getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const lane = currentLane();
    if (!lane || !isFlowActive()) return this.inner.getStreamedResponse(request);
    const normalized = normalizeModelRequest(request);
    const { settings } = lane;
    // A stream is never retried (its parts already reached the consumer); its timeout still applies.
    const { timeout } = settings.retries('model', 'model');
    return durableStream<StreamEvent>(
      {
        ...(timeout !== undefined ? { timeout } : {}),
        name: 'model',
        kind: 'model',
        ...this.#fingerprints(normalized),
        input: settings.capturedInput('model', 'model', () => normalized),
        metadata: settings.metadata('model', 'model', { agent: lane.agent, model: this.modelName, streamed: true }),
      },
      (context) => this.#liveStream(lane, request, context),
    );
  }

  /**
   * The request's fingerprint, the model's name included when known (another model is another
   * request). Records made before the name was part of it carry the fingerprint without it.
   */
  #fingerprints(normalized: Record<string, unknown>): { fingerprint: string; formerFingerprints?: string[] } {
    const withoutModel = requestFingerprint(normalized);
    if (this.modelName === undefined) return { fingerprint: withoutModel };
    return { fingerprint: requestFingerprint({ ...normalized, model: this.modelName }), formerFingerprints: [withoutModel] };
  }

  async *#liveStream(lane: DurableLane, request: ModelRequest, context: CheckpointContext): AsyncIterable<StreamEvent> {
    const events = this.inner.getStreamedResponse({ ...request, signal: combinedSignal(request.signal, context.signal) });
    for await (const event of events) {
      // The consumer gets the stored form live too, so a replay hands out exactly what it saw.
      const stored = storeStreamEvent(event);
      if (stored.type === 'response_done') {
        const response = stored.response as { usage?: { inputTokens?: unknown; outputTokens?: unknown }; providerData?: unknown };
        this.#recordUsage(lane, context, reportedModel(response.providerData), response.usage);
      }
      yield stored;
    }
  }

  #recordUsage(
    lane: DurableLane,
    context: CheckpointContext,
    reported: string | undefined,
    usage: { inputTokens?: unknown; outputTokens?: unknown } | undefined,
  ): void {
    const metadata = lane.settings.metadata('model', 'model', { model: reported ?? this.modelName, usage: usageOf(usage) });
    if (metadata) context.setMetadata(metadata);
  }
}

/** The signal that aborts when either the SDK's or Keel's does. */
export function combinedSignal(first: AbortSignal | undefined, second: AbortSignal): AbortSignal {
  return first ? AbortSignal.any([first, second]) : second;
}
