import type { LogLine } from './api-types.js';
import { h, replace } from './dom.js';
import { executionPath } from './api-client.js';
import type { Page } from './navigation.js';

/**
 * The execution's log as a live tail: server-sent events from the API (an EventSource reconnects by
 * itself and continues after the last line it got).
 */
export function logPanel(executionId: string): { element: HTMLElement } & Page {
  const lines = h('div', { class: 'log-lines', 'data-testid': 'log-lines' });
  const state = h('span', { class: 'muted small' }, 'connecting…');
  const empty = h('p', { class: 'muted' }, 'No log lines yet.');
  lines.append(empty);
  const element = h('section', { class: 'logs' }, h('h2', null, 'Logs ', state), lines);
  const source = new EventSource(executionPath(executionId, 'logs', 'stream'));
  source.addEventListener('open', () => replace(state, '● live'));
  source.addEventListener('log', (event) => {
    const line = JSON.parse((event as MessageEvent<string>).data) as LogLine;
    const atBottom = lines.scrollHeight - lines.scrollTop - lines.clientHeight < 24;
    empty.remove();
    lines.append(
      h(
        'div',
        { class: `log-line log-${line.level}`, 'data-testid': 'log-line' },
        h('span', { class: 'log-time', title: new Date(line.time).toISOString() }, new Date(line.time).toLocaleTimeString(undefined, { hour12: false })),
        h('span', { class: 'log-level' }, line.level),
        h('span', { class: 'log-where muted' }, `#${line.session}${line.checkpointId ? ` ${line.checkpointId}` : ''}`),
        h('span', { class: 'log-message' }, line.message),
        line.fields ? h('span', { class: 'log-fields muted' }, JSON.stringify(line.fields)) : null,
      ),
    );
    if (atBottom) lines.scrollTop = lines.scrollHeight;
  });
  source.addEventListener('end', () => {
    replace(state, 'ended');
    source.close();
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) replace(state, 'unavailable');
    else replace(state, 'reconnecting…');
  });
  return { element, dispose: () => source.close() };
}
