import { apiGet } from './api-client.js';
import type { VersionSummary } from './api-types.js';
import { h, replace } from './dom.js';
import { formatAgo, formatCount, formatTime } from './format.js';

/**
 * The Versions panel: per flow and code version, its executions by status, the tags that route
 * invocations to it, when it was deployed, whether it can be retired (nothing unfinished, no tag), and
 * whether this server's code serves it. Executions of a version no worker serves stay queued or
 * waiting: the counts show them.
 */
export function versionsPanel(): { readonly element: HTMLElement; refresh(): Promise<void> } {
  const body = h('tbody');
  const element = h(
    'section',
    { class: 'versions', 'data-testid': 'versions-panel' },
    h('h2', null, 'Versions'),
    h(
      'table',
      { 'data-testid': 'versions-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Flow', 'Version', 'Tags', 'Queued', 'Running', 'Waiting', 'Failed', 'Completed', 'Deployed', 'Retirable', 'Served here'].map((label) =>
            h('th', null, label),
          ),
        ),
      ),
      body,
    ),
  );
  return {
    element,
    async refresh() {
      const { versions } = await apiGet<{ versions: VersionSummary[] }>('/api/versions');
      const now = Date.now();
      replace(
        body,
        versions.length
          ? versions.map((version) => row(version, now))
          : h('tr', null, h('td', { colspan: 11, class: 'empty' }, 'No versions yet: deploy with keel deploy --tag prod.')),
      );
    },
  };
}

function row(version: VersionSummary, now: number): HTMLElement {
  const count = (status: keyof VersionSummary['executions']) =>
    h('td', { class: `number${version.executions[status] ? ` count-${status}` : ' muted'}`, 'data-status': status }, formatCount(version.executions[status]));
  return h(
    'tr',
    { 'data-testid': 'version-row', 'data-flow': version.flow, 'data-version': version.version },
    h('td', null, version.flow),
    h('td', null, h('code', null, version.version)),
    h('td', null, version.tags.length ? version.tags.map((tag) => h('span', { class: 'badge badge-tag' }, tag)) : h('span', { class: 'muted' }, '—')),
    count('queued'),
    count('running'),
    count('waiting'),
    count('failed'),
    count('completed'),
    h(
      'td',
      version.deployedAt !== undefined ? { title: formatTime(version.deployedAt) } : { class: 'muted' },
      version.deployedAt !== undefined ? formatAgo(version.deployedAt, now) : 'not deployed',
    ),
    h('td', { 'data-testid': 'retirable' }, version.retirable ? h('span', { class: 'badge badge-completed' }, 'yes') : 'no'),
    h('td', { 'data-testid': 'served' }, version.served ? 'yes' : h('span', { class: 'muted' }, 'no')),
  );
}
