import { durableCall, durableStream, isFlowActive, retryOptions, type CheckpointContext } from '@keel/core/adapter';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from '@langchain/core/language_models/chat_models';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import { concat } from '@langchain/core/utils/stream';
import { chunkPart, chunksOf, messageOf, messagePart, modelRequestFingerprint, usageOf, type ModelPart } from './model-records.js';
import { ModelToolsUnsupportedError } from './model-tools-unsupported-error.js';
import type { DurableChatModelOptions } from './options.js';
import { currentRunContext, isRunStopping } from './run-context.js';
import { currentTask, nextCallNumber } from './task-keys.js';

const durableMarker = Symbol.for('keel.langgraph.durableChatModel');

/**
 * A chat model whose every call inside a Keel flow is a checkpoint: the first time it calls the
 * model it wraps and records the response (or the streamed chunks); when LangGraph runs the node
 * again — after a crash, or to resume an `interrupt()` — the same call gets the recorded response
 * back and the model is not called. Streamed tokens still reach LangGraph's `messages` stream mode,
 * once per call, also when they come from the record.
 *
 * Outside a flow it is the wrapped model, unchanged.
 */
export class DurableChatModel extends BaseChatModel<BaseChatModelCallOptions, AIMessageChunk> {
  readonly [durableMarker] = true;
  /** The model this one wraps. */
  readonly model: BaseChatModel;
  /** What is called: the model, or the model with tools bound. */
  readonly #target: Runnable<BaseLanguageModelInput, BaseMessage>;
  readonly #options: DurableChatModelOptions;

  constructor(model: BaseChatModel, options: DurableChatModelOptions = {}, target?: Runnable<BaseLanguageModelInput, BaseMessage>) {
    super({});
    this.model = model;
    this.#options = options;
    this.#target = target ?? (model as Runnable<BaseLanguageModelInput, BaseMessage>);
  }

  /** The class name LangChain's serialization and tracing show. */
  static override lc_name(): string {
    return 'DurableChatModel';
  }

  // LangChain's constructor reads the next three before this class's fields are set: hence the fallbacks.

  /** The wrapped model's type (`openai`, `anthropic` …). */
  override _llmType(): string {
    return this.model ? this.model._llmType() : 'durable';
  }

  /** The wrapped model's call option names, so LangChain splits call options from config as it would. */
  override get callKeys(): string[] {
    return this.model ? this.model.callKeys : super.callKeys;
  }

  /** The wrapped model's capabilities (langchain's `createAgent` reads structured-output support here). */
  override get profile() {
    return this.model ? this.model.profile : super.profile;
  }

  /** The wrapped model's parameters, for tracing. */
  override _identifyingParams(): Record<string, unknown> {
    return this.model._identifyingParams();
  }

  /** The wrapped model's request parameters, for tracing. */
  override invocationParams(options?: this['ParsedCallOptions']): unknown {
    return this.model.invocationParams(options);
  }

  /** Binds tools to the wrapped model and stays the outermost layer, so calls with tools are durable too. */
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<BaseChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, BaseChatModelCallOptions> {
    if (typeof this.model.bindTools !== 'function') throw new ModelToolsUnsupportedError({ model: this.model.getName() });
    const bound = this.model.bindTools(tools, kwargs) as Runnable<BaseLanguageModelInput, BaseMessage>;
    return new DurableChatModel(this.model, this.#options, bound);
  }

  /** One model call, as a checkpoint: recorded the first time, replayed from the record after that. */
  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], _runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const callOptions = withoutCallbacks(options);
    if (!isFlowActive()) return result(await this.#target.invoke(messages, { ...callOptions, callbacks: [] }));
    let live: BaseMessage | undefined;
    const parts = await stopRunOnKeelError(() =>
      durableCall(this.#spec(messages, callOptions), async (context) => {
        live = await this.#target.invoke(messages, { ...callOptions, callbacks: [], signal: signalFor(context, callOptions) });
        this.#recordMetadata(context, live);
        return [await messagePart(live)];
      }),
    );
    return result(live ?? (await messageOf(parts)));
  }

  /**
   * One streamed model call, as a checkpoint: chunks go out as they come and are recorded once the
   * stream ends; a replay streams the recorded chunks. Each chunk is reported to LangChain's callbacks
   * (what LangGraph's `messages` stream mode listens to) exactly once.
   */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const callOptions = withoutCallbacks(options);
    // The wrapped model runs with no callbacks: this model reports the tokens itself, so LangGraph's
    // `messages` stream mode sees each token once, whether it is live or replayed.
    const emit = async (chunk: AIMessageChunk): Promise<ChatGenerationChunk> => {
      const generation = new ChatGenerationChunk({ text: textOf(chunk), message: chunk });
      await runManager?.handleLLMNewToken(generation.text, undefined, undefined, undefined, undefined, { chunk: generation });
      return generation;
    };
    if (!isFlowActive()) {
      for await (const chunk of await this.#target.stream(messages, { ...callOptions, callbacks: [] })) yield await emit(toChunk(chunk));
      return;
    }
    const liveChunks = new WeakMap<ModelPart, AIMessageChunk>();
    const target = this.#target;
    const stream = durableStream<ModelPart>(this.#spec(messages, callOptions), async (context) => {
      const source = await target.stream(messages, { ...callOptions, callbacks: [], signal: signalFor(context, callOptions) });
      const record = (usage: BaseMessage | undefined) => this.#recordMetadata(context, usage);
      return (async function* () {
        let aggregate: AIMessageChunk | undefined;
        for await (const message of source) {
          const chunk = toChunk(message);
          aggregate = aggregate === undefined ? chunk : concat(aggregate, chunk);
          const part = await chunkPart(chunk);
          liveChunks.set(part, chunk);
          yield part;
        }
        record(aggregate);
      })();
    });
    try {
      for await (const part of stream) {
        const live = liveChunks.get(part);
        for (const chunk of live ? [live] : await chunksOf([part])) yield await emit(chunk);
      }
    } catch (error) {
      if (isRunStopping(error)) currentRunContext()?.stop(error);
      throw error;
    }
  }

  #spec(messages: BaseMessage[], options: Record<string, unknown>) {
    const task = currentTask();
    const modelId = modelIdOf(this.model);
    const capture = this.#options.capture ?? 'full';
    const tools = boundToolNames(this.#target);
    const { signal: _signal, timeout: _timeout, ...rest } = options;
    const extras = { tools, stop: rest['stop'], tool_choice: rest['tool_choice'], response_format: rest['response_format'] };
    const turn = currentRunContext()?.granularity === 'turn';
    return {
      name: this.#options.name ?? 'model',
      kind: 'model' as const,
      // Inside a graph task the call is identified by its task and number alone: LangGraph skips the
      // nodes that finished when it resumes, so calls come in another order in every session.
      ...(task ? { key: `${task.key}#${nextCallNumber(task, 'model')}`, ordered: false } : {}),
      fingerprint: modelRequestFingerprint(modelId, messages, extras),
      ...(capture === 'full' ? { input: { messages: storeMessages(messages), ...(tools.length ? { tools } : {}) } } : {}),
      ...(capture !== 'none'
        ? { metadata: { model: modelId, ...(task ? { node: task.node, ...(task.step !== undefined ? { step: task.step } : {}) } : {}) } }
        : {}),
      ...retryOptions(this.#options),
      durable: turn ? false : (this.#options.durable ?? true),
    };
  }

  #recordMetadata(context: CheckpointContext, message: BaseMessage | undefined): void {
    if ((this.#options.capture ?? 'full') === 'none') return;
    const usage = usageOf(message);
    context.setMetadata({ model: modelIdOf(this.model), ...(usage ? { usage } : {}) });
  }
}

/**
 * Makes a chat model durable inside Keel flows (see {@link DurableChatModel}). Works with any
 * `BaseChatModel` — provider clients, LangChain's fakes — in `createAgent`, `createReactAgent` and
 * hand-built graphs. Wrapping twice returns the same wrapper.
 *
 * @example
 * ```ts
 * const model = durableChatModel(new ChatOpenAI({ model: 'gpt-5' }));
 * ```
 */
export function durableChatModel(model: BaseChatModel, options: DurableChatModelOptions = {}): DurableChatModel {
  if (model instanceof DurableChatModel || (model as unknown as Record<symbol, unknown>)[durableMarker] === true) {
    return model as DurableChatModel;
  }
  return new DurableChatModel(model, options);
}

async function stopRunOnKeelError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isRunStopping(error)) currentRunContext()?.stop(error);
    throw error;
  }
}

function result(message: BaseMessage): ChatResult {
  return { generations: [{ text: textOf(message), message }] };
}

function textOf(message: BaseMessage): string {
  return typeof message.content === 'string' ? message.content : message.text;
}

function toChunk(message: BaseMessage): AIMessageChunk {
  if (AIMessageChunk.isInstance(message)) return message;
  return new AIMessageChunk({ content: message.content, ...(message.id !== undefined ? { id: message.id } : {}) });
}

function withoutCallbacks(options: object): Record<string, unknown> {
  const { callbacks: _callbacks, ...rest } = options as Record<string, unknown>;
  return rest;
}

/** The call's signal: aborted when Keel cancels the execution or times the attempt out, or when the caller aborts. */
function signalFor(context: CheckpointContext, options: Record<string, unknown>): AbortSignal {
  const own = options['signal'];
  return own instanceof AbortSignal ? AbortSignal.any([context.signal, own]) : context.signal;
}

/** The model id a record shows: the provider's model name where the class has one. */
export function modelIdOf(model: BaseChatModel): string {
  const fields = model as unknown as Record<string, unknown>;
  for (const key of ['model', 'modelName', 'model_id', 'modelId']) {
    if (typeof fields[key] === 'string' && fields[key]) return fields[key];
  }
  return model._llmType();
}

function boundToolNames(target: unknown): string[] {
  const binding = target as { kwargs?: Record<string, unknown>; config?: Record<string, unknown> };
  const tools = (binding.kwargs?.['tools'] ?? binding.config?.['tools']) as unknown;
  if (!Array.isArray(tools)) return [];
  return tools
    .map((tool: { name?: unknown; function?: { name?: unknown } }) => tool?.name ?? tool?.function?.name)
    .filter((name): name is string => typeof name === 'string');
}

/** The prompt as LangChain's message JSON (what the record captures). */
function storeMessages(messages: readonly BaseMessage[]): unknown {
  return messages.map((message) => {
    try {
      return JSON.parse(JSON.stringify(message)) as unknown;
    } catch {
      return { type: message.getType(), content: String(message.content) };
    }
  });
}
