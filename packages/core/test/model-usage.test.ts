import { describe, expect, it } from 'vitest';
import { modelUsageOf } from '../src/index.js';
import { tokenUsage } from '../src/adapter.js';

describe('modelUsageOf', () => {
  it('reads the model and token counts adapters record in the one ModelCall shape', () => {
    expect(modelUsageOf({ model: 'gpt-4o', usage: { inputTokens: 1204, outputTokens: 88 } })).toEqual({
      model: 'gpt-4o',
      inputTokens: 1204,
      outputTokens: 88,
      totalTokens: 1292,
    });
    expect(
      modelUsageOf({ model: { provider: 'openai', modelId: 'gpt-5' }, usage: { inputTokens: 5, outputTokens: 7, cachedInputTokens: 2, reasoningTokens: 3 } }),
    ).toEqual({
      model: 'gpt-5',
      inputTokens: 5,
      outputTokens: 7,
      totalTokens: 12,
      cachedInputTokens: 2,
      reasoningTokens: 3,
    });
    expect(modelUsageOf({ usage: { inputTokens: 1, outputTokens: 2, totalTokens: 4 } })).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 4 });
    expect(modelUsageOf({ toolName: 'search' })).toBeUndefined();
    expect(modelUsageOf(undefined)).toBeUndefined();
  });

  it('still reads records written before the one shape: other model fields, snake case, `tokens`, top level', () => {
    expect(modelUsageOf({ model: { modelId: 'claude-test' }, usage: { input_tokens: 10, output_tokens: 5 } })).toEqual({
      model: 'claude-test',
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
    });
    expect(modelUsageOf({ modelName: 'gpt-4.1', tokens: { promptTokens: 7, completionTokens: 3, totalTokens: 11 } })).toEqual({
      model: 'gpt-4.1',
      inputTokens: 7,
      outputTokens: 3,
      totalTokens: 11,
    });
    expect(modelUsageOf({ responseModelId: 'gpt-5-mini', prompt_tokens: 2, completion_tokens: 1 })).toEqual({
      model: 'gpt-5-mini',
      inputTokens: 2,
      outputTokens: 1,
      totalTokens: 3,
    });
  });

  it('tokenUsage keeps only the reported counts', () => {
    expect(tokenUsage({ inputTokens: 3, outputTokens: undefined, cachedInputTokens: Number.NaN, reasoningTokens: 0 })).toEqual({
      inputTokens: 3,
      reasoningTokens: 0,
    });
    expect(tokenUsage({ inputTokens: 'many' })).toBeUndefined();
  });
});
