import { describe, expect, it } from 'vitest';
import { modelUsageOf } from '../src/index.js';

describe('modelUsageOf', () => {
  it('reads the model and token counts adapters record, in the providers\' spellings', () => {
    expect(modelUsageOf({ model: 'gpt-4o', usage: { inputTokens: 1204, outputTokens: 88 } })).toEqual({
      model: 'gpt-4o',
      inputTokens: 1204,
      outputTokens: 88,
      totalTokens: 1292,
    });
    expect(modelUsageOf({ model: { provider: 'openai', modelId: 'gpt-5' }, usage: { input_tokens: 5, output_tokens: 7 } })).toEqual({
      model: 'gpt-5',
      inputTokens: 5,
      outputTokens: 7,
      totalTokens: 12,
    });
    expect(modelUsageOf({ tokens: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 4 } })).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 4 });
    expect(modelUsageOf({ toolName: 'search' })).toBeUndefined();
    expect(modelUsageOf(undefined)).toBeUndefined();
  });
});
