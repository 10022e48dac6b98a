import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costRollup, estimateModelCost, priceTable, type CheckpointRecord } from '../src/index.js';

function modelRecord(id: string, metadata: Record<string, unknown>): CheckpointRecord {
  return {
    executionId: 'e',
    id,
    parentId: id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : null,
    name: 'model',
    kind: 'model',
    status: 'completed',
    seq: 0,
    attempts: 1,
    delivery: 'at-least-once',
    durable: true,
    session: 1,
    startedAt: 0,
    metadata,
  };
}

describe('estimateModelCost', () => {
  it('prices a call at the price table’s list price, cached prompt tokens at the cache price', async () => {
    // gpt-4o-mini: $0.15 per million input tokens, $0.075 cached, $0.60 output.
    const cost = await estimateModelCost({ model: 'gpt-4o-mini', inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 100_000 });
    expect(cost.usd).toBeCloseTo(0.8 * 0.15 + 0.2 * 0.075 + 0.1 * 0.6, 10);
    expect(cost).toMatchObject({ pricedAs: 'openai/gpt-4o-mini', prices: priceTable });
  });

  it('matches dated ids to their family and reads a provider prefix (Anthropic, AI SDK ids)', async () => {
    // $3 per million input tokens up to 200k tokens of prompt (the long-context tier costs more).
    const dated = await estimateModelCost({ model: 'claude-sonnet-4-5-20250929', inputTokens: 100_000, outputTokens: 0 });
    expect(dated).toMatchObject({ usd: expect.closeTo(0.3, 10), pricedAs: 'anthropic/claude-sonnet-4-5' });
    const prefixed = await estimateModelCost({ model: 'gpt-4.1', inputTokens: 0, outputTokens: 1_000_000 }, 'openai.chat');
    expect(prefixed).toMatchObject({ usd: 8, pricedAs: 'openai/gpt-4.1' });
  });

  it('leaves the cost of an unknown model unknown instead of inventing one', async () => {
    expect(await estimateModelCost({ model: 'fake-model-7', inputTokens: 10, outputTokens: 5 })).toEqual({ usd: null, prices: priceTable });
    expect(await estimateModelCost({ model: 'gpt-4o-mini' })).toEqual({ usd: null, prices: priceTable });
  });

  it('names the installed version of the price package', () => {
    const manifest = JSON.parse(readFileSync(new URL('../node_modules/@pydantic/genai-prices/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(priceTable).toBe(`@pydantic/genai-prices@${manifest.version}`);
  });
});

describe('costRollup', () => {
  it('sums per execution and per subtree, and tells reused calls from calls spent anew', async () => {
    const rollup = await costRollup([
      modelRecord('model:1', { model: 'gpt-4o-mini', usage: { inputTokens: 1_000_000, outputTokens: 0 }, reusedFrom: 'original' }),
      modelRecord('research:call_1/model:1', { model: 'gpt-4o-mini', usage: { inputTokens: 0, outputTokens: 1_000_000 } }),
      modelRecord('research:call_1/model:2', { model: 'mystery-model', usage: { inputTokens: 7, outputTokens: 3 } }),
    ]);
    expect(rollup.total).toEqual({ tokens: 2_000_010, usd: expect.closeTo(0.75, 10), calls: 3, unpricedCalls: 1 });
    expect(rollup.reused).toEqual({ tokens: 1_000_000, usd: expect.closeTo(0.15, 10), calls: 1, unpricedCalls: 0 });
    expect(rollup.spent).toEqual({ tokens: 1_000_010, usd: expect.closeTo(0.6, 10), calls: 2, unpricedCalls: 1 });
    expect(rollup.byCheckpoint['research:call_1']).toEqual({ tokens: 1_000_010, usd: expect.closeTo(0.6, 10), calls: 2, unpricedCalls: 1 });
  });

  it('uses the cost recorded with the call over today’s price', async () => {
    const rollup = await costRollup([
      modelRecord('model:1', { model: 'gpt-4o-mini', usage: { inputTokens: 5, outputTokens: 5 }, cost: { usd: 1.25, prices: 'older-table' } }),
    ]);
    expect(rollup.total.usd).toBe(1.25);
  });
});
