import { apiGet } from './api-client.js';
import type { ExperimentSummary } from './api-types.js';
import { h, replace } from './dom.js';
import { formatAgo, formatCount } from './format.js';
import type { Page } from './navigation.js';
import { poll } from './poller.js';
import { statusBadge } from './status-badge.js';

/** The experiments list: each a cohort replayed with a change, with its progress and totals. */
export function experimentsPage(root: HTMLElement): Page {
  document.title = 'Experiments · Keel';
  const body = h('tbody');
  const defined = h('p', { class: 'muted' });
  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', null, 'Experiments')),
    h('p', { class: 'muted' }, 'Recorded runs replayed with a change (a model swapped, instructions or a tool replaced), each compared with its original.'),
    h(
      'table',
      { class: 'executions', 'data-testid': 'experiments-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Status', 'Experiment', 'Name', 'Started', 'Members', 'Outputs changed', 'Tools rec / live / missed', 'Tokens Δ', 'Cost Δ (est.)'].map((label) =>
            h('th', null, label),
          ),
        ),
      ),
      body,
    ),
    defined,
  );
  const poller = poll(async () => {
    const answer = await apiGet<{ experiments: ExperimentSummary[]; defined: string[] }>('/api/experiments');
    replace(
      body,
      answer.experiments.length === 0
        ? h('tr', null, h('td', { colspan: 9, class: 'muted' }, 'No experiments yet: run one with keel experiments run <name>.'))
        : answer.experiments.map((experiment) => experimentRow(experiment)),
    );
    replace(defined, answer.defined.length ? `Defined in this server's code: ${answer.defined.join(', ')}.` : '');
    return answer.experiments.some((experiment) => experiment.status === 'running' || experiment.status === 'queued');
  }, 1000);
  return { dispose: () => poller.stop() };
}

function experimentRow(experiment: ExperimentSummary): HTMLElement {
  const totals = experiment.aggregate;
  return h(
    'tr',
    { 'data-testid': 'experiment-row' },
    h('td', null, statusBadge(experiment.status)),
    h('td', null, h('a', { href: `/experiments/${encodeURIComponent(experiment.id)}`, 'data-nav': '', class: 'execution-id' }, experiment.id)),
    h('td', null, experiment.name),
    h('td', null, formatAgo(experiment.createdAt)),
    h('td', null, `${totals.done} / ${totals.members}`),
    h('td', null, String(totals.changedOutputs)),
    h('td', null, toolCounts(totals)),
    h('td', null, signed(totals.tokens.delta)),
    h('td', null, totals.cost ? signedUsd(totals.cost.delta) : '—'),
  );
}

/** Tool calls answered from records / live / missed. */
export function toolCounts(totals: { readonly tools: { readonly recorded: number; readonly live: number; readonly missed: number } }): string {
  return `${totals.tools.recorded} / ${totals.tools.live} / ${totals.tools.missed}`;
}

/** A count with its sign. */
export function signed(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${formatCount(Math.abs(value))}`;
}

/** Dollars with their sign, to the cent's hundredth (experiment deltas are small). */
export function signedUsd(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}$${Math.abs(value).toFixed(4)}`;
}
