import type { ExecutionStatus } from './api-types.js';
import { h } from './dom.js';

const labels: Readonly<Record<string, string>> = {
  queued: 'queued',
  running: 'running',
  waiting: 'needs input',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  abandoned: 'abandoned',
  pending: 'pending',
  resolved: 'answered',
  'timed-out': 'timed out',
};

const icons: Readonly<Record<string, string>> = {
  queued: '◌',
  running: '◐',
  waiting: '‖',
  completed: '✓',
  failed: '✕',
  cancelled: '⊘',
  abandoned: '⚠',
  pending: '‖',
  resolved: '✓',
  'timed-out': '◷',
};

/** A coloured status label; `abandoned` marks a running execution whose process died. */
export function statusBadge(status: ExecutionStatus | string, options: { abandoned?: boolean; large?: boolean } = {}) {
  const shown = options.abandoned ? 'abandoned' : status;
  return h(
    'span',
    { class: `badge badge-${shown}${options.large ? ' badge-large' : ''}`, 'data-testid': 'status-badge', 'data-status': status },
    h('span', { 'aria-hidden': 'true' }, icons[shown] ?? '•'),
    ' ',
    labels[shown] ?? shown,
  );
}
