import type { Model, ModelProvider } from '@openai/agents';
import { DurableModel } from './durable-model.js';

/**
 * A `ModelProvider` decorator: every model it hands out is a {@link DurableModel}, so any provider the
 * SDK supports (OpenAI Responses, Chat Completions, the AI SDK bridge, your own) becomes durable.
 *
 * @example
 * ```ts
 * const runner = new Runner({ modelProvider: durableModelProvider(new OpenAIProvider()) });
 * ```
 */
export function durableModelProvider(inner: ModelProvider): ModelProvider {
  return {
    async getModel(modelName?: string): Promise<Model> {
      const model = await inner.getModel(modelName);
      return DurableModel.isDurable(model) ? model : new DurableModel(model, modelName || undefined);
    },
  };
}
