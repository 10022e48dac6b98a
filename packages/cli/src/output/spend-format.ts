import { formatUsd, type Spend } from '@keel/core';

/**
 * `2 model calls · 2,000 tokens · ~$0.0028` — what model calls spent. The dollar figure is an estimate
 * at list price over the calls with a known price; calls of unknown price are counted, never priced.
 */
export function formatSpend(spend: Spend): string {
  const parts = [`${spend.calls} model ${spend.calls === 1 ? 'call' : 'calls'}`, `${spend.tokens.toLocaleString('en-US')} tokens`];
  if (spend.calls > spend.unpricedCalls) parts.push(`~$${formatUsd(spend.usd)}`);
  if (spend.unpricedCalls) parts.push(`${spend.unpricedCalls} of unknown price`);
  return parts.join(' · ');
}
