import { ApiFailure, apiGet, apiPost } from './api-client.js';
import type { ExecutionSummary } from './api-types.js';
import { h, replace } from './dom.js';
import { formatAgo, formatCompact, formatCount, formatDuration, formatTime, formatUsd } from './format.js';
import { navigate, type Page } from './navigation.js';
import { poll } from './poller.js';
import { statusBadge } from './status-badge.js';
import { versionsPanel } from './versions-panel.js';

const statuses = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

/** The executions list: live, filtered by flow and status, paged by id, with a form to start a run and the Versions panel. */
export function executionsPage(root: HTMLElement, query: URLSearchParams): Page {
  document.title = 'Executions · Keel';
  const filters = { flow: query.get('flow') ?? '', status: query.get('status') ?? '', before: query.get('before') ?? '' };
  const flowSelect = h(
    'select',
    { 'data-testid': 'filter-flow', 'aria-label': 'Flow', onchange: () => apply({ flow: flowSelect.value, before: '' }) },
    h('option', { value: '' }, 'all flows'),
  );
  const statusSelect = h(
    'select',
    { 'data-testid': 'filter-status', 'aria-label': 'Status', onchange: () => apply({ status: statusSelect.value, before: '' }) },
    h('option', { value: '' }, 'any status'),
    statuses.map((status) => h('option', { value: status, selected: status === filters.status }, status === 'waiting' ? 'waiting (needs input)' : status)),
  );
  const body = h('tbody');
  const pager = h('div', { class: 'pager' });
  const summary = h('span', { class: 'muted' });
  const knownFlows = new Set<string>(filters.flow ? [filters.flow] : []);
  const registered = new Set<string>();

  const versions = versionsPanel();
  const startFlow = h('select', { 'aria-label': 'Flow to start', 'data-testid': 'start-flow' });
  const startInput = h('textarea', {
    class: 'json-input',
    rows: 3,
    spellcheck: 'false',
    placeholder: 'Input as JSON, e.g. "AI infrastructure" or {"topic": "…"}',
    'data-testid': 'start-input',
  });
  const startStatus = h('div', { class: 'form-error', role: 'alert' });
  const startForm = h(
    'details',
    { class: 'start-run' },
    h('summary', null, 'Start a run'),
    h('p', { class: 'muted' }, 'Creates a queued execution of a flow registered in this server; a worker (keel worker) runs it.'),
    h('div', { class: 'field' }, h('label', null, 'Flow'), startFlow),
    h('div', { class: 'field' }, h('label', null, 'Input'), startInput),
    h(
      'div',
      { class: 'form-actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'button button-primary',
          onclick: async () => {
            let input: unknown;
            try {
              input = startInput.value.trim() === '' ? undefined : JSON.parse(startInput.value);
            } catch (error) {
              replace(startStatus, `The input is not JSON: ${error instanceof Error ? error.message : String(error)}`);
              return;
            }
            try {
              const answer = await apiPost<{ executionId: string }>(`/api/flows/${encodeURIComponent(startFlow.value)}/executions`, { input });
              navigate(`/executions/${encodeURIComponent(answer.body.executionId)}`);
            } catch (error) {
              replace(startStatus, error instanceof ApiFailure ? error.message : String(error));
            }
          },
        },
        'Start',
      ),
    ),
    startStatus,
  );

  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', null, 'Executions'), summary),
    h('div', { class: 'filters' }, h('label', null, 'Flow ', flowSelect), h('label', null, 'Status ', statusSelect)),
    h(
      'table',
      { class: 'executions', 'data-testid': 'executions-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Status', 'Execution', 'Flow', 'Started', 'Duration', 'Calls', 'Tokens', 'Cost (est.)', ''].map((label) => h('th', null, label)),
        ),
      ),
      body,
    ),
    pager,
    startForm,
    versions.element,
  );

  function apply(change: Partial<typeof filters>): void {
    Object.assign(filters, change);
    const params = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
    navigate(`/${params.size ? `?${params}` : ''}`);
  }

  const refreshFlows = async () => {
    const { flows } = await apiGet<{ flows: { name: string }[] }>('/api/flows');
    for (const flow of flows) {
      knownFlows.add(flow.name);
      registered.add(flow.name);
    }
    replace(
      startFlow,
      [...registered].sort().map((name) => h('option', { value: name }, name)),
    );
    if (!registered.size) startForm.hidden = true;
  };

  const renderFlowFilter = () => {
    const names = [...knownFlows].sort();
    if (flowSelect.options.length - 1 === names.length) return;
    replace(
      flowSelect,
      h('option', { value: '' }, 'all flows'),
      names.map((name) => h('option', { value: name, selected: name === filters.flow }, name)),
    );
  };

  let firstLoad = true;
  const poller = poll(async () => {
    if (firstLoad) {
      firstLoad = false;
      await refreshFlows();
    }
    const params = new URLSearchParams({ limit: '50' });
    if (filters.flow) params.set('flow', filters.flow);
    if (filters.status) params.set('status', filters.status);
    if (filters.before) params.set('before', filters.before);
    const [page] = await Promise.all([apiGet<{ executions: ExecutionSummary[]; nextCursor: string | null }>(`/api/executions?${params}`), versions.refresh()]);
    for (const execution of page.executions) knownFlows.add(execution.flow);
    renderFlowFilter();
    const now = Date.now();
    replace(
      body,
      page.executions.length
        ? page.executions.map((execution) => row(execution, now))
        : h(
            'tr',
            null,
            h(
              'td',
              { colspan: 9, class: 'empty' },
              filters.flow || filters.status ? 'No executions match these filters.' : 'No executions yet. Run a flow (keel run <flow>) or start one below.',
            ),
          ),
    );
    const needsInput = page.executions.filter((execution) => execution.status === 'waiting').length;
    const failed = page.executions.filter((execution) => execution.status === 'failed').length;
    replace(
      summary,
      `${page.executions.length}${page.nextCursor ? '+' : ''} shown`,
      needsInput ? ` · ${needsInput} need input` : '',
      failed ? ` · ${failed} failed` : '',
    );
    replace(
      pager,
      filters.before
        ? h(
            'a',
            { href: `/?${new URLSearchParams(Object.entries({ ...filters, before: '' }).filter(([, value]) => value !== ''))}`, 'data-nav': '' },
            '← newest',
          )
        : null,
      page.nextCursor
        ? h(
            'a',
            {
              href: `/?${new URLSearchParams(Object.entries({ ...filters, before: page.nextCursor }).filter(([, value]) => value !== ''))}`,
              'data-nav': '',
              'data-testid': 'older',
            },
            'older →',
          )
        : null,
    );
    return true;
  }, 2000);
  return { dispose: () => poller.stop() };
}

function row(execution: ExecutionSummary, now: number): HTMLElement {
  const href = `/executions/${encodeURIComponent(execution.id)}`;
  const stats = execution.stats;
  // A queued execution has not started: it has no duration yet (its note says it waits for a worker).
  const live = execution.status === 'running' || execution.status === 'waiting';
  return h(
    'tr',
    {
      class: `execution-row status-${execution.status}`,
      'data-testid': 'execution-row',
      'data-execution-id': execution.id,
      'data-status': execution.status,
      onclick: (event: Event) => {
        if ((event.target as Element).closest('a') || window.getSelection()?.toString()) return;
        navigate(href);
      },
    },
    h('td', null, statusBadge(execution.status, { abandoned: execution.abandoned })),
    h('td', null, h('a', { href, 'data-nav': '', class: 'execution-id' }, execution.id)),
    h('td', null, execution.flow),
    h('td', { title: formatTime(execution.createdAt) }, formatAgo(execution.createdAt, now)),
    h(
      'td',
      { class: 'number' },
      execution.durationMs !== undefined ? formatDuration(execution.durationMs) : live ? `${formatDuration(now - execution.createdAt)}…` : '—',
    ),
    h('td', { class: 'number', title: stats ? `${stats.modelCalls} model · ${stats.toolCalls} tool` : '' }, stats ? formatCount(stats.calls) : '—'),
    h(
      'td',
      { class: 'number', title: stats ? `${formatCount(stats.inputTokens)} in · ${formatCount(stats.outputTokens)} out` : '' },
      stats?.totalTokens ? formatCompact(stats.totalTokens) : '—',
    ),
    h('td', { class: 'number' }, stats?.estimatedCostUsd != null ? formatUsd(stats.estimatedCostUsd) : '—'),
    h('td', { class: 'note' }, note(execution)),
  );
}

function note(execution: ExecutionSummary): string {
  if (execution.status === 'failed' && execution.error) return `${execution.error.name}: ${execution.error.message}`;
  if (execution.abandoned) return 'its process stopped; a worker resumes it';
  if (execution.status === 'waiting') return 'waiting for input';
  if (execution.status === 'queued') return 'waiting for a worker';
  if (execution.replayOf) return `replay of ${execution.replayOf.executionId}`;
  return '';
}
