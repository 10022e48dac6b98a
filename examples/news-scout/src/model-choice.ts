import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import type { CallObserver } from './call-observer.js';
import { ModelSpecInvalidError } from './model-spec-invalid-error.js';
import { OfflineScoutModel, offlineModelId } from './offline-scout-model.js';

/** Which model a run uses. Stored with the run (its `settings` checkpoint), so a resume uses the same one. */
export interface ModelChoice {
  readonly provider: 'offline' | 'openai' | 'anthropic';
  readonly modelId: string;
}

/** The default model per provider, when only a key is given. */
export const defaultModels = { openai: 'gpt-4.1-mini', anthropic: 'claude-sonnet-4-5' } as const;

/**
 * The model to use: `spec` (`offline`, `openai`, `openai:gpt-4.1`, `anthropic:claude-haiku-4-5`),
 * else `NEWS_SCOUT_MODEL`, else the provider whose key is set (`OPENAI_API_KEY` first, then
 * `ANTHROPIC_API_KEY`), else the offline model.
 */
export function chooseModel(spec?: string, environment: NodeJS.ProcessEnv = process.env): ModelChoice {
  const given = spec ?? environment['NEWS_SCOUT_MODEL'];
  if (given) return parseModelSpec(given);
  if (environment['OPENAI_API_KEY']) return { provider: 'openai', modelId: defaultModels.openai };
  if (environment['ANTHROPIC_API_KEY']) return { provider: 'anthropic', modelId: defaultModels.anthropic };
  return { provider: 'offline', modelId: offlineModelId };
}

/** Reads `offline`, `openai[:id]` or `anthropic[:id]`; anything else throws {@link ModelSpecInvalidError}. */
export function parseModelSpec(spec: string): ModelChoice {
  const [provider = '', ...rest] = spec.trim().split(':');
  const modelId = rest.join(':');
  if (provider === 'offline' || provider === offlineModelId) return { provider: 'offline', modelId: offlineModelId };
  if (provider === 'openai' || provider === 'anthropic') return { provider, modelId: modelId || defaultModels[provider] };
  throw new ModelSpecInvalidError(spec);
}

/** How a choice reads in the terminal. */
export function describeModel(choice: ModelChoice): string {
  return choice.provider === 'offline' ? `${choice.modelId} (offline, deterministic, free)` : `${choice.provider}:${choice.modelId}`;
}

/**
 * The language model for a choice, reporting each call it really makes to `observer`. Real providers
 * read their key (and `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL`) from the environment, as usual.
 */
export function languageModel(choice: ModelChoice, observer: CallObserver): LanguageModelV4 {
  const model: LanguageModelV4 =
    choice.provider === 'openai'
      ? createOpenAI()(choice.modelId)
      : choice.provider === 'anthropic'
        ? createAnthropic()(choice.modelId)
        : new OfflineScoutModel({ modelId: choice.modelId });
  return observedModel(model, observer);
}

/** The model, with every call it makes passed through the observer (logged, paced). */
function observedModel(model: LanguageModelV4, observer: CallObserver): LanguageModelV4 {
  return {
    specificationVersion: 'v4',
    provider: model.provider,
    modelId: model.modelId,
    get supportedUrls() {
      return model.supportedUrls;
    },
    doGenerate: (options) => observer.observe('model', model.modelId, `step ${stepOf(options.prompt)}`, async () => model.doGenerate(options)),
    doStream: (options) => observer.observe('model', model.modelId, `step ${stepOf(options.prompt)}`, async () => model.doStream(options)),
  };
}

function stepOf(prompt: readonly { readonly role: string }[]): number {
  return prompt.filter((message) => message.role === 'assistant').length + 1;
}
