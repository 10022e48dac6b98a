import { apiGet, executionPath } from './api-client.js';
import type { Checkpoint, ExecutionDetail } from './api-types.js';
import { flatten } from './checkpoint-timeline.js';
import { h } from './dom.js';
import { preview } from './format.js';
import { statusBadge } from './status-badge.js';
import { valueView } from './value-view.js';

type Change = 'reused' | 'overridden' | 'same' | 'different' | 'failed' | 'only-original' | 'only-replay' | 'pending';

const changeLabels: Readonly<Record<Change, string>> = {
  reused: 'reused',
  overridden: 'overridden',
  same: 're-ran, same result',
  different: 're-ran, different result',
  failed: 'failed in the replay',
  'only-original': 'not reached in the replay',
  'only-replay': 'new in the replay',
  pending: 'not finished',
};

/**
 * A replay next to its original: the outcome of each, then every checkpoint side by side with what
 * happened to it (reused, overridden, re-ran with the same or a different result, new, not reached).
 */
export async function replayComparison(replay: ExecutionDetail, replayTree: readonly Checkpoint[]): Promise<HTMLElement> {
  const originalId = replay.replayOf!.executionId;
  const [original, originalTree] = await Promise.all([
    apiGet<ExecutionDetail>(executionPath(originalId)),
    apiGet<{ checkpoints: Checkpoint[] }>(executionPath(originalId, 'checkpoints')),
  ]);
  const before = new Map(flatten(originalTree.checkpoints).map(({ checkpoint }) => [checkpoint.id, checkpoint]));
  const after = new Map(flatten(replayTree).map(({ checkpoint }) => [checkpoint.id, checkpoint]));
  const ids = [...new Set([...after.keys(), ...before.keys()])].sort((left, right) => order(left) - order(right));
  function order(id: string): number {
    return before.get(id)?.seq ?? (after.get(id)?.seq ?? 0) + 0.5;
  }
  const rows = ids.map((id) => {
    const left = before.get(id);
    const right = after.get(id);
    const change = changeOf(left, right);
    return h(
      'tr',
      { class: `comparison-row change-${change}`, 'data-testid': 'comparison-row', 'data-checkpoint-id': id, 'data-change': change },
      h('td', null, h('code', null, id)),
      h(
        'td',
        null,
        left
          ? [
              h('span', { class: `status-icon status-icon-${left.status}` }, left.status),
              ' ',
              h('span', { class: 'preview' }, preview(left.output ?? left.error?.message, 90)),
            ]
          : '—',
      ),
      h(
        'td',
        null,
        right
          ? [
              h('span', { class: `status-icon status-icon-${right.status}` }, right.status),
              ' ',
              h('span', { class: 'preview' }, preview(right.output ?? right.error?.message, 90)),
            ]
          : '—',
      ),
      h('td', null, h('span', { class: `chip chip-change-${change}` }, changeLabels[change])),
    );
  });
  const sameOutput = JSON.stringify(original.output) === JSON.stringify(replay.output);
  const origin = replay.replayOf!;
  return h(
    'section',
    { class: 'comparison', 'data-testid': 'replay-comparison' },
    h('h2', null, 'Changes against the original'),
    h(
      'p',
      { class: 'muted' },
      'Replay of ',
      h('a', { href: `/executions/${encodeURIComponent(originalId)}`, 'data-nav': '' }, originalId),
      origin.from ? ` from ${origin.from}` : ' reusing every completed checkpoint',
      origin.overridden.length ? `, with ${origin.overridden.join(', ')} overridden` : '',
      origin.hermetic ? ', hermetic (no live calls).' : ', live.',
    ),
    h(
      'div',
      { class: 'side-by-side' },
      h(
        'div',
        null,
        h('h3', null, 'Original ', statusBadge(original.status)),
        valueView(original.status === 'failed' ? original.error : original.output, {
          label: original.status === 'failed' ? 'Error' : 'Output',
          testId: 'original-output',
        }),
      ),
      h(
        'div',
        null,
        h('h3', null, 'This replay ', statusBadge(replay.status)),
        valueView(replay.status === 'failed' ? replay.error : replay.output, {
          label: replay.status === 'failed' ? 'Error' : 'Output',
          testId: 'replay-output',
        }),
      ),
    ),
    replay.status === 'completed' && original.status === 'completed'
      ? h(
          'p',
          { class: sameOutput ? 'muted' : 'changed-note', 'data-testid': 'output-change' },
          sameOutput ? 'The final output is the same.' : 'The final output changed.',
        )
      : null,
    h(
      'table',
      { class: 'comparison-table' },
      h('thead', null, h('tr', null, h('th', null, 'Checkpoint'), h('th', null, 'Original'), h('th', null, 'This replay'), h('th', null, 'What happened'))),
      h('tbody', null, rows),
    ),
  );
}

function changeOf(left: Checkpoint | undefined, right: Checkpoint | undefined): Change {
  if (!right) return 'only-original';
  if (!left) return right.status === 'failed' ? 'failed' : 'only-replay';
  if (right.overridden) return 'overridden';
  if (right.reused) return 'reused';
  if (right.status === 'failed') return 'failed';
  if (right.status !== 'completed') return 'pending';
  return JSON.stringify(left.output) === JSON.stringify(right.output) && left.status === right.status ? 'same' : 'different';
}
