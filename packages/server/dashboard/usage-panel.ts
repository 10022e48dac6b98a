import type { Cost, ExecutionDetail, Spend, Stats } from './api-types.js';
import { h } from './dom.js';
import { formatCompact, formatCount, formatUsd } from './format.js';

/** Calls, tokens and estimated cost of an execution, and what its latest resume (or the replay) reused. */
export function usagePanel(detail: ExecutionDetail): HTMLElement {
  const reuse = detail.reuse;
  // A replay's copied records were paid for by the original: its cards show what ran in the replay.
  const stats = reuse?.basis === 'replay' ? minus(detail.stats, reuse) : detail.stats;
  const scope = reuse?.basis === 'replay' ? 'run in this replay' : 'estimate at list price';
  return h(
    'section',
    { class: 'usage' },
    h(
      'div',
      { class: 'cards' },
      card('Calls', formatCount(stats.calls), `${stats.modelCalls} model · ${stats.toolCalls} tool${reuse?.basis === 'replay' ? ` ${scope}` : ''}`),
      card('Tokens', formatCompact(stats.totalTokens), `${formatCount(stats.inputTokens)} in · ${formatCount(stats.outputTokens)} out`),
      card(
        'Cost',
        stats.estimatedCostUsd === null ? '—' : formatUsd(stats.estimatedCostUsd),
        reuse?.basis === 'replay' ? 'in this replay, at list price' : 'estimate at list price',
      ),
      card('Checkpoints', formatCount(stats.checkpoints), `${stats.failed ?? 0} failed · ${stats.retries ?? 0} retries`),
      card('Sessions', String(detail.sessions), detail.sessions === 1 ? 'ran once' : 'run + resumes/retries'),
      detail.cost?.budget ? budgetCard(detail.cost.budget, detail.cost.spent) : null,
    ),
    reuse
      ? h(
          'p',
          { class: 'reuse', 'data-testid': 'reuse-summary' },
          h('strong', null, reuse.basis === 'replay' ? 'This replay reused ' : `The latest resume (session ${reuse.session}) reused `),
          `${reuse.ids.length} checkpoint${reuse.ids.length === 1 ? '' : 's'}`,
          reuse.basis === 'replay' && detail.replayOf
            ? [' recorded by ', h('a', { href: `/executions/${encodeURIComponent(detail.replayOf.executionId)}`, 'data-nav': '' }, detail.replayOf.executionId)]
            : ' completed in earlier sessions',
          ` instead of running them again, saving ${saved(reuse)}.`,
        )
      : null,
    stats.unpricedModels.length
      ? h('p', { class: 'muted small' }, `No list price for ${stats.unpricedModels.join(', ')}: their tokens are counted, not their cost.`)
      : null,
  );
}

function saved(totals: Stats): string {
  const calls = `${totals.calls} call${totals.calls === 1 ? '' : 's'}`;
  const tokens = `${formatCount(totals.totalTokens)} tokens`;
  return totals.estimatedCostUsd === null ? `${calls} and ${tokens}` : `${calls}, ${tokens} and ${formatUsd(totals.estimatedCostUsd)} (estimate at list price)`;
}

function minus(total: Stats, part: Stats): Stats {
  const cost = total.estimatedCostUsd === null ? null : Math.max(0, total.estimatedCostUsd - (part.estimatedCostUsd ?? 0));
  return {
    ...total,
    calls: total.calls - part.calls,
    modelCalls: total.modelCalls - part.modelCalls,
    toolCalls: total.toolCalls - part.toolCalls,
    inputTokens: total.inputTokens - part.inputTokens,
    outputTokens: total.outputTokens - part.outputTokens,
    totalTokens: total.totalTokens - part.totalTokens,
    estimatedCostUsd: cost,
  };
}

function card(label: string, value: string, note: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
    h('div', { class: 'card-note' }, note),
  );
}

/** What the execution spent live against the budget it was started with (approved raises are in its `budget` waits). */
function budgetCard(budget: NonNullable<Cost['budget']>, spent: Spend): HTMLElement {
  const limits = [
    budget.tokens !== undefined ? `${formatCount(spent.tokens)} of ${formatCount(budget.tokens)} tokens` : null,
    budget.usd !== undefined ? `${formatUsd(spent.usd)} of ${formatUsd(budget.usd)}` : null,
  ].filter((limit) => limit !== null);
  const used = Math.max(
    budget.tokens !== undefined && budget.tokens > 0 ? spent.tokens / budget.tokens : 0,
    budget.usd !== undefined && budget.usd > 0 ? spent.usd / budget.usd : 0,
  );
  const element = card('Budget', `${Math.round(used * 100)}%`, `${limits.join(' · ')} spent (started with)`);
  element.dataset.testid = 'budget-card';
  return element;
}
