import type { Checkpoint, Spend } from './api-types.js';
import { h, type Child } from './dom.js';
import { formatCount, formatDuration, formatTime, formatUsd } from './format.js';
import { valueView } from './value-view.js';

/** Options of {@link checkpointTimeline}. */
export interface TimelineOptions {
  /** The time span the bars are drawn in. */
  readonly span: { readonly start: number; readonly end: number };
  /** Ids of checkpoints whose details are open (kept across refreshes). */
  readonly expanded: Set<string>;
  /** The checkpoint to mark as where the run failed. */
  readonly failedId?: string;
  readonly onReplayFrom: (checkpoint: Checkpoint) => void;
  readonly onOverride: (checkpoint: Checkpoint) => void;
}

const kindLabels: Readonly<Record<Checkpoint['kind'], string>> = { step: 'step', model: 'model', tool: 'tool', mcp: 'MCP', wait: 'wait' };
const statusIcons: Readonly<Record<Checkpoint['status'], string>> = { completed: '✓', failed: '✕', running: '◐', waiting: '‖' };

/** The checkpoints flattened in call order, each with its depth in the tree. */
export function flatten(roots: readonly Checkpoint[], depth = 0): { checkpoint: Checkpoint; depth: number }[] {
  return roots.flatMap((checkpoint) => [{ checkpoint, depth }, ...flatten(checkpoint.children ?? [], depth + 1)]);
}

/**
 * The checkpoint tree as a timeline: one row per checkpoint (indented under its parent), a bar for
 * when it ran, its duration, attempts, model and tokens; a row opens to its input, output or error.
 */
export function checkpointTimeline(roots: readonly Checkpoint[], options: TimelineOptions): HTMLElement {
  const rows = flatten(roots);
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No checkpoints yet.');
  return h(
    'div',
    { class: 'timeline', role: 'table', 'data-testid': 'timeline' },
    h(
      'div',
      { class: 'timeline-row timeline-head', role: 'row' },
      ['Checkpoint', 'Kind', 'When', 'Duration', 'Attempts', 'Model · tokens'].map((label) => h('div', { role: 'columnheader' }, label)),
    ),
    rows.map(({ checkpoint, depth }) => row(checkpoint, depth, options)),
  );
}

function row(checkpoint: Checkpoint, depth: number, options: TimelineOptions): Child {
  const open = options.expanded.has(checkpoint.id);
  const failedHere = checkpoint.id === options.failedId;
  const detail = open ? details(checkpoint, options) : null;
  const toggle = () => {
    if (options.expanded.has(checkpoint.id)) options.expanded.delete(checkpoint.id);
    else options.expanded.add(checkpoint.id);
    const replacement = row(checkpoint, depth, options) as HTMLElement;
    element.replaceWith(replacement);
  };
  const usage = checkpoint.usage;
  const element = h(
    'div',
    {
      class: `timeline-entry status-${checkpoint.status}${failedHere ? ' failed-here' : ''}${open ? ' open' : ''}`,
      id: `checkpoint-${checkpoint.id}`,
      'data-testid': 'checkpoint-row',
      'data-checkpoint-id': checkpoint.id,
      'data-status': checkpoint.status,
    },
    h(
      'div',
      {
        class: 'timeline-row',
        role: 'row',
        tabindex: '0',
        'aria-expanded': open ? 'true' : 'false',
        onclick: toggle,
        onkeydown: (event: Event) => {
          const key = (event as KeyboardEvent).key;
          if (key === 'Enter' || key === ' ') {
            event.preventDefault();
            toggle();
          }
        },
      },
      h(
        'div',
        { class: 'timeline-name', role: 'cell', 'data-depth': depth },
        h('span', { class: `status-icon status-icon-${checkpoint.status}`, title: checkpoint.status }, statusIcons[checkpoint.status]),
        ' ',
        h('span', { class: 'checkpoint-name' }, checkpoint.name),
        ' ',
        h('code', { class: 'muted checkpoint-id' }, checkpoint.id),
        failedHere ? h('span', { class: 'chip chip-failed', 'data-testid': 'failed-here' }, 'failed here') : null,
        checkpoint.reused ? h('span', { class: 'chip chip-reused', title: 'Its stored result was returned instead of running it again.' }, 'reused') : null,
        checkpoint.overridden ? h('span', { class: 'chip chip-overridden', title: 'Its output was replaced in this replay.' }, 'overridden') : null,
        checkpoint.durable ? null : h('span', { class: 'chip', title: 'Opted out of durability: it runs again on every resume.' }, 'not durable'),
      ),
      h('div', { role: 'cell' }, h('span', { class: `kind kind-${checkpoint.kind}` }, kindLabels[checkpoint.kind])),
      h('div', { role: 'cell', class: 'timeline-bar-cell' }, bar(checkpoint, options.span)),
      h(
        'div',
        { role: 'cell', class: 'number' },
        checkpoint.durationMs !== undefined
          ? formatDuration(checkpoint.durationMs)
          : checkpoint.status === 'running' || checkpoint.status === 'waiting'
            ? `${formatDuration(Date.now() - checkpoint.startedAt)}…`
            : '—',
      ),
      h(
        'div',
        {
          role: 'cell',
          class: `number${checkpoint.attempts > 1 ? ' attempts-retried' : ''}`,
          title: checkpoint.retries ? `${checkpoint.retries} retr${checkpoint.retries === 1 ? 'y' : 'ies'}` : '',
        },
        checkpoint.attempts > 1 ? `×${checkpoint.attempts}` : String(checkpoint.attempts),
      ),
      h(
        'div',
        { role: 'cell', class: 'usage-cell' },
        usage?.model ? h('span', { class: 'model' }, usage.model) : null,
        usage?.totalTokens !== undefined ? h('span', { class: 'muted' }, ` ${formatCount(usage.totalTokens)} tok`) : null,
        checkpoint.costBelow ? h('span', { class: 'muted', 'data-testid': 'cost-below' }, `${spendText(checkpoint.costBelow)} below`) : null,
      ),
    ),
    detail,
  );
  // Set through the style object: the dashboard's policy refuses inline style attributes.
  const name = element.querySelector<HTMLElement>('.timeline-name');
  if (name) name.style.paddingLeft = `${0.25 + depth * 1.25}rem`;
  return element;
}

function bar(checkpoint: Checkpoint, span: { start: number; end: number }): HTMLElement {
  const total = Math.max(1, span.end - span.start);
  const end = checkpoint.endedAt ?? Date.now();
  if (checkpoint.startedAt < span.start) {
    // A record copied into a replay from the original run: it did not run in this span.
    if (checkpoint.overridden) return h('span', { class: 'muted small' }, 'output given for this replay');
    return h('span', { class: 'muted small', title: `ran ${formatTime(checkpoint.startedAt)} in the original run` }, 'recorded by the original');
  }
  const left = ((checkpoint.startedAt - span.start) / total) * 100;
  const width = Math.max(0.6, ((end - checkpoint.startedAt) / total) * 100);
  const bar = h('div', {
    class: `bar bar-${checkpoint.status}${checkpoint.reused ? ' bar-was-reused' : ''}`,
    title: `${formatTime(checkpoint.startedAt)} → ${checkpoint.endedAt ? formatTime(checkpoint.endedAt) : 'now'}`,
  });
  bar.style.left = `${Math.min(99.4, left)}%`;
  bar.style.width = `${Math.min(100 - Math.min(99.4, left), width)}%`;
  return h('div', { class: 'bar-track' }, bar);
}

function details(checkpoint: Checkpoint, options: TimelineOptions): HTMLElement {
  const facts: [string, Child][] = [
    ['Kind', kindLabels[checkpoint.kind]],
    ['Status', checkpoint.status],
    ['Started', formatTime(checkpoint.startedAt)],
    ['Ended', checkpoint.endedAt ? formatTime(checkpoint.endedAt) : '—'],
    ['Duration', checkpoint.durationMs !== undefined ? formatDuration(checkpoint.durationMs) : '—'],
    ['Attempts', `${checkpoint.attempts}${checkpoint.retries ? ` (${checkpoint.retries} retr${checkpoint.retries === 1 ? 'y' : 'ies'})` : ''}`],
    ['Delivery', checkpoint.delivery],
  ];
  if (checkpoint.usage?.model) facts.push(['Model', checkpoint.usage.model]);
  if (checkpoint.usage?.inputTokens !== undefined || checkpoint.usage?.outputTokens !== undefined) {
    facts.push(['Tokens', `${formatCount(checkpoint.usage.inputTokens ?? 0)} in · ${formatCount(checkpoint.usage.outputTokens ?? 0)} out`]);
  }
  if (checkpoint.estimatedCostUsd !== undefined) facts.push(['Cost', `${formatUsd(checkpoint.estimatedCostUsd)} (estimate at list price)`]);
  if (checkpoint.costBelow) facts.push(['Model calls below', `${formatCount(checkpoint.costBelow.calls)} · ${spendText(checkpoint.costBelow)}`]);
  if (checkpoint.reused) facts.push(['Reused', 'stored result returned; it did not run again']);
  if (checkpoint.fingerprint) facts.push(['Fingerprint', h('code', null, checkpoint.fingerprint.slice(0, 23))]);
  const metadata = checkpoint.metadata
    ? Object.fromEntries(Object.entries(checkpoint.metadata).filter(([key]) => key !== 'usage' && key !== 'overridden'))
    : {};
  return h(
    'div',
    { class: 'checkpoint-detail', 'data-testid': 'checkpoint-detail' },
    h(
      'div',
      { class: 'facts' },
      facts.map(([label, value]) => h('div', { class: 'fact' }, h('div', { class: 'fact-label' }, label), h('div', null, value))),
    ),
    checkpoint.error
      ? h(
          'div',
          { class: 'error-box', 'data-testid': 'checkpoint-error' },
          h('strong', null, checkpoint.error.name),
          ': ',
          checkpoint.error.message,
          checkpoint.error.stack ? h('details', null, h('summary', null, 'Stack trace'), h('pre', { class: 'value' }, checkpoint.error.stack)) : null,
        )
      : null,
    h(
      'div',
      { class: 'io-grid' },
      valueView(checkpoint.input, { label: 'Input', testId: 'checkpoint-input' }),
      checkpoint.status === 'completed' ? valueView(checkpoint.output, { label: 'Output', testId: 'checkpoint-output' }) : null,
    ),
    Object.keys(metadata).length ? valueView(metadata, { label: 'Metadata', limit: 2000 }) : null,
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'button', class: 'button', onclick: () => options.onReplayFrom(checkpoint) }, '↻ Replay from here'),
      checkpoint.status === 'completed' && checkpoint.kind !== 'wait'
        ? h('button', { type: 'button', class: 'button', onclick: () => options.onOverride(checkpoint) }, '✎ Replay with this output changed')
        : null,
    ),
  );
}

/** `1,234 tok · $0.0012` — what model calls spent (dollars over the priced ones). */
function spendText(spend: Spend): string {
  const usd = spend.calls > spend.unpricedCalls ? ` · ${formatUsd(spend.usd)}` : '';
  return `${formatCount(spend.tokens)} tok${usd}`;
}
