import {
  CallPolicy,
  currentExecution,
  durableCall,
  durableStream,
  replayChange,
  requestFingerprint,
  storableData,
  type CheckpointContext,
} from '@keel/core/adapter';
import { AgentRun } from './agent-run.js';
import { ModelUnsupportedError } from './model-unsupported-error.js';
import { callOutcome, isStreamHead, recordableGenerateResult, recordablePart, streamHead } from './model-records.js';
import type { DurablePiecesOptions } from './options.js';
import type { LanguageModelShape, ModelCallOptions, ModelGenerateResult, ModelStreamResult, StreamPart } from './sdk-shapes.js';

/** Models this adapter made, to the model each wraps. */
const originals = new WeakMap<object, object>();

/**
 * Makes a language model durable: inside a Keel flow every `doGenerate` and `doStream` is a checkpoint
 * of kind `model` (`model:1`, `model:2` … in call order), whose result is stored and given back on
 * resume or replay instead of calling the provider again. A streamed call replays as an equivalent
 * stream. Outside a flow the model behaves exactly as the one it wraps.
 *
 * Works with `LanguageModelV3` (ai 6) and `LanguageModelV4` (ai 7) models: the wrapper keeps the
 * model's specification version, so it goes wherever the model went.
 *
 * @example
 * ```ts
 * const result = await generateText({ model: durableModel(openai('gpt-4o')), tools: durableTools(tools), prompt });
 * ```
 */
export function durableModel<Model extends LanguageModelShape>(model: Model, options: DurablePiecesOptions = {}): Model {
  return wrapModel(model, new AgentRun(), new CallPolicy(options));
}

/** Wraps a model for one run (the standalone form gets a run of its own). */
export function wrapModel<Model>(model: Model, run: AgentRun, settings: CallPolicy): Model {
  if (typeof model !== 'object' || model === null || typeof (model as Partial<LanguageModelShape>).doGenerate !== 'function') {
    throw new ModelUnsupportedError({ model });
  }
  // A model made durable before is wrapped anew for this run (see wrapTools).
  const unwrapped = originals.get(model) ?? model;
  const inner = unwrapped as unknown as CallableModel & { readonly supportedUrls?: unknown };
  const wrapped = {
    specificationVersion: inner.specificationVersion,
    get provider() {
      return inner.provider;
    },
    get modelId() {
      return inner.modelId;
    },
    get supportedUrls() {
      return inner.supportedUrls;
    },
    doGenerate: (given: ModelCallOptions) => {
      const { model, options } = changedCall(inner, given);
      return run.call(() => generate(model, options, (signal) => model.doGenerate(signal ? { ...options, abortSignal: signal } : options), run, settings));
    },
    doStream: (given: ModelCallOptions) => {
      const { model, options } = changedCall(inner, given);
      return run.call(() => stream(model, options, (signal) => model.doStream(signal ? { ...options, abortSignal: signal } : options), run, settings));
    },
  };
  originals.set(wrapped, unwrapped);
  return wrapped as unknown as Model;
}

type CallableModel = LanguageModelShape & {
  doGenerate(options: ModelCallOptions): PromiseLike<ModelGenerateResult>;
  doStream(options: ModelCallOptions): PromiseLike<ModelStreamResult>;
};

/**
 * The model and call options a call really uses: inside a replay with a change (an experiment's
 * member), the model swapped for this model id and the instructions replaced; else the ones given.
 */
function changedCall(model: CallableModel, options: ModelCallOptions): { model: CallableModel; options: ModelCallOptions } {
  const change = replayChange();
  if (!change) return { model, options };
  const swap = change.model(model.modelId);
  const substitute = swap === undefined ? model : ((originals.get(swap as object) ?? swap) as CallableModel);
  if (swap !== undefined && (typeof substitute !== 'object' || substitute === null || typeof substitute.doGenerate !== 'function')) {
    throw new ModelUnsupportedError({ model: swap });
  }
  if (change.instructions === undefined || !Array.isArray(options.prompt)) return { model: substitute, options };
  // The SDK sends instructions as the prompt's system messages: they are replaced by the change's.
  const messages = (options.prompt as readonly { readonly role?: unknown }[]).filter((message) => message.role !== 'system');
  return { model: substitute, options: { ...options, prompt: [{ role: 'system', content: change.instructions }, ...messages] } };
}

/**
 * The same durability as {@link durableModel}, as a language model middleware for
 * `wrapLanguageModel` (ai 6 and 7), to combine with other middleware. Prefer `durableModel` when
 * there is nothing to combine: as a middleware it cannot pass Keel's cancellation signal to the
 * provider, because the SDK hands middleware a `doGenerate` that takes no arguments.
 *
 * @example
 * ```ts
 * const model = wrapLanguageModel({ model: openai('gpt-4o'), middleware: [durableMiddleware(), extractReasoningMiddleware({ tagName: 'think' })] });
 * ```
 */
export function durableMiddleware(options: DurablePiecesOptions = {}): DurableMiddleware {
  const run = new AgentRun();
  const settings = new CallPolicy(options);
  return {
    // ai 6 requires 'v3' here; ai 7 accepts any version (or none).
    specificationVersion: 'v3',
    wrapGenerate: ({ doGenerate, params, model }) => generate(model, params, () => doGenerate(), run, settings),
    wrapStream: ({ doStream, params, model }) => stream(model, params, () => doStream(), run, settings),
  };
}

/** A language model middleware, as `wrapLanguageModel` of ai 6 and 7 takes it. */
export interface DurableMiddleware {
  readonly specificationVersion: 'v3';
  wrapGenerate(options: { doGenerate: () => PromiseLike<any>; params: any; model: LanguageModelShape }): Promise<any>;
  wrapStream(options: { doStream: () => PromiseLike<any>; params: any; model: LanguageModelShape }): Promise<any>;
}

/** Call options that say nothing about what is asked: transport details that differ between runs. */
const transportOptions = new Set(['abortSignal', 'headers']);

/** A model request without its transport details: what the fingerprint covers and what is captured. */
function modelRequest(model: Pick<LanguageModelShape, 'provider' | 'modelId'>, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (!transportOptions.has(key)) settings[key] = value;
  return storableData({ provider: model.provider, modelId: model.modelId, ...settings }) as Record<string, unknown>;
}

function modelSpec(model: Pick<LanguageModelShape, 'provider' | 'modelId'>, options: ModelCallOptions, settings: CallPolicy) {
  const request = modelRequest(model, options);
  return {
    name: 'model',
    kind: 'model' as const,
    fingerprint: requestFingerprint(request),
    ...settings.retries('model', 'model'),
    ...settings.captured('model', 'model', request, { model: { provider: model.provider, modelId: model.modelId } }),
  };
}

/** Calls the provider; with a signal, one that also aborts when Keel cancels the call. */
type ProviderCall<Result> = (signal?: AbortSignal) => PromiseLike<Result>;

async function generate(
  model: Pick<LanguageModelShape, 'provider' | 'modelId'>,
  options: ModelCallOptions,
  call: ProviderCall<ModelGenerateResult>,
  run: AgentRun,
  settings: CallPolicy,
): Promise<ModelGenerateResult> {
  run.throwIfFailed();
  if (!run.durable || insideModelCall()) return call();
  let live: ModelGenerateResult | undefined;
  try {
    const recorded = await durableCall(modelSpec(model, options, settings), async (context) => {
      live = await call(joined(options.abortSignal, context));
      if (settings.recordsMetadata('model', 'model')) context.setMetadata(callOutcome(live));
      return recordableGenerateResult(live);
    });
    // Live, the SDK gets the provider's own result (bodies included); replayed, the stored one.
    return live ?? (recorded as ModelGenerateResult);
  } catch (error) {
    run.fail(error);
    throw error;
  }
}

async function stream(
  model: Pick<LanguageModelShape, 'provider' | 'modelId'>,
  options: ModelCallOptions,
  call: ProviderCall<ModelStreamResult>,
  run: AgentRun,
  settings: CallPolicy,
): Promise<ModelStreamResult> {
  run.throwIfFailed();
  if (!run.durable || insideModelCall()) return call();
  const parts = durableStream<StreamPart>(modelSpec(model, options, settings), async (context) => {
    const result = await call(joined(options.abortSignal, context));
    return recordedStream(result, context, settings.recordsMetadata('model', 'model'));
  });
  const iterator = parts[Symbol.asyncIterator]();
  let first: IteratorResult<StreamPart>;
  try {
    first = await iterator.next();
  } catch (error) {
    run.fail(error);
    throw error;
  }
  const head = !first.done && isStreamHead(first.value) ? first.value : undefined;
  const pending = first.done || head ? [] : [first.value];
  return {
    ...(head?.request ? { request: head.request } : {}),
    ...(head?.response ? { response: head.response } : {}),
    stream: new ReadableStream<StreamPart>({
      async pull(controller) {
        const buffered = pending.shift();
        if (buffered) return controller.enqueue(buffered);
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          run.fail(error);
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    }),
  };
}

/**
 * The parts of a live stream as they are recorded: a head with the request and response details,
 * then every part. An `error` part ends the call as failed rather than recorded: a call that failed
 * must run again on `retry`, not replay its failure forever.
 */
async function* recordedStream(result: ModelStreamResult, context: CheckpointContext, recordsMetadata: boolean): AsyncGenerator<StreamPart> {
  yield streamHead(result) as unknown as StreamPart;
  let finish: StreamPart | undefined;
  let modelId: unknown;
  const reader = result.stream.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.type === 'error') throw asError(value['error']);
      if (value.type === 'finish') finish = value;
      if (value.type === 'response-metadata' && value['modelId'] !== undefined) modelId = value['modelId'];
      yield recordablePart(value);
    }
    ended = true;
  } finally {
    // A stream left early (an error, a reader that stopped) is cancelled so the provider's request ends.
    if (ended) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
  if (recordsMetadata) {
    context.setMetadata({
      ...(finish ? callOutcome(finish as { usage?: unknown; finishReason?: unknown }) : {}),
      ...(typeof modelId === 'string' ? { responseModelId: modelId } : {}),
    });
  }
}

/**
 * Whether this call runs inside a model checkpoint already: a model made durable twice (the
 * middleware, then `durable(agent)` around it) makes one call, recorded once, by the outer wrapper.
 */
function insideModelCall(): boolean {
  const checkpointId = currentExecution()?.checkpointId;
  return checkpointId !== null && checkpointId !== undefined && /(^|\/)model:[^/]*$/.test(checkpointId);
}

function asError(error: unknown): unknown {
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : JSON.stringify(error));
}

function joined(signal: AbortSignal | undefined, context: CheckpointContext): AbortSignal {
  return signal ? AbortSignal.any([signal, context.signal]) : context.signal;
}
