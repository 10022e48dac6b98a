import { ApiFailure, apiGet, apiPost, executionPath } from './api-client.js';
import type { Artifact, Checkpoint, ExecutionDetail } from './api-types.js';
import { artifactsPanel } from './artifacts-panel.js';
import { checkpointTimeline, flatten } from './checkpoint-timeline.js';
import { h, replace } from './dom.js';
import { formatDuration, formatTime } from './format.js';
import { logPanel } from './log-panel.js';
import { navigate, type Page } from './navigation.js';
import { poll } from './poller.js';
import { replayComparison } from './replay-comparison.js';
import { replayPanel, type ReplayPrefill } from './replay-panel.js';
import { statusBadge } from './status-badge.js';
import { statusPanel } from './status-panel.js';
import { usagePanel } from './usage-panel.js';
import { valueView } from './value-view.js';

const finalStatuses = new Set(['completed', 'failed', 'cancelled']);

/**
 * One execution: what is going on and what to do (failure, waits with forms, liveness), usage and
 * reuse, the replay comparison, the checkpoint timeline, input and output, artifacts and the live log.
 * It refreshes while the execution can still change.
 */
export function executionPage(root: HTMLElement, executionId: string): Page {
  const header = h('div', { class: 'execution-head' });
  const notice = h('div', { class: 'notices', 'aria-live': 'polite' });
  const status = h('div');
  const usage = h('div');
  const replaySlot = h('div');
  const comparison = h('div');
  const timeline = h('div');
  const io = h('div');
  const artifacts = artifactsPanel(executionId);
  const logs = logPanel(executionId);
  const expanded = new Set<string>();
  let detail: ExecutionDetail | undefined;
  let tree: Checkpoint[] = [];
  let treeSignature = '';
  let statusSignature = '';
  let previousStatus = '';
  let detailText = '';
  let focused = false;

  replace(
    root,
    h('nav', { class: 'breadcrumb' }, h('a', { href: '/', 'data-nav': '' }, 'Executions'), ' / ', h('code', null, executionId)),
    header,
    notice,
    status,
    usage,
    replaySlot,
    comparison,
    h(
      'section',
      { class: 'timeline-section' },
      h('h2', null, 'Checkpoints'),
      h(
        'p',
        { class: 'muted small' },
        'Every call the run made, in call order, nested under the call it was made in. Click a row for its input, output or error.',
      ),
      timeline,
    ),
    io,
    artifacts.element,
    logs.element,
  );

  const say = (kind: 'info' | 'error', message: string) => {
    replace(
      notice,
      h(
        'div',
        { class: `notice notice-${kind}`, 'data-testid': `notice-${kind}` },
        message,
        h('button', { type: 'button', class: 'link-button', onclick: () => replace(notice) }, 'dismiss'),
      ),
    );
  };

  const operate = async (label: string, path: string, body?: unknown) => {
    try {
      const answer = await apiPost<{ executionId: string; status: string }>(path, body ?? {});
      say('info', answer.status === 202 ? `${label} started in the server: the run goes on in the background.` : `${label}: ${answer.body.status}.`);
    } catch (error) {
      say('error', error instanceof ApiFailure ? error.message : String(error));
    }
    poller.now();
  };

  const openReplay = (prefill: ReplayPrefill = {}) => {
    replace(
      replaySlot,
      replayPanel(
        executionId,
        flatten(tree).map(({ checkpoint }) => checkpoint),
        prefill,
        (newId) => navigate(`/executions/${encodeURIComponent(newId)}`),
        () => replace(replaySlot),
      ),
    );
    replaySlot.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  const showCheckpoint = (id: string) => {
    expanded.add(id);
    renderTimeline();
    document.getElementById(`checkpoint-${id}`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  };

  const renderHeader = (execution: ExecutionDetail) => {
    document.title = `${execution.status} · ${execution.flow} · Keel`;
    const live = !finalStatuses.has(execution.status);
    const duration = execution.durationMs ?? Date.now() - execution.createdAt;
    replace(
      header,
      h(
        'div',
        { class: 'title-line' },
        statusBadge(execution.status, { abandoned: execution.abandoned, large: true }),
        h('h1', null, execution.flow),
        h('code', { class: 'execution-id', 'data-testid': 'execution-id' }, execution.id),
      ),
      h(
        'div',
        { class: 'facts-line muted' },
        `started ${formatTime(execution.createdAt)}`,
        ` · ${live ? 'running for' : 'took'} ${formatDuration(duration)}`,
        ` · ${execution.sessions} session${execution.sessions === 1 ? '' : 's'}`,
        execution.codeVersion ? ` · code ${execution.codeVersion}` : '',
        execution.replayOf
          ? [
              ' · replay of ',
              h('a', { href: `/executions/${encodeURIComponent(execution.replayOf.executionId)}`, 'data-nav': '' }, execution.replayOf.executionId),
            ]
          : '',
      ),
      execution.metadata
        ? h(
            'div',
            { class: 'chips' },
            Object.entries(execution.metadata).map(([key, value]) =>
              h('span', { class: 'chip' }, `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`),
            ),
          )
        : null,
      h(
        'div',
        { class: 'actions' },
        execution.status === 'failed'
          ? h('button', { type: 'button', class: 'button', onclick: () => void operate('Retry', executionPath(executionId, 'retry')) }, '↻ Retry')
          : null,
        (execution.status === 'waiting' && !execution.waits.some((wait) => wait.status === 'pending')) || execution.abandoned
          ? h('button', { type: 'button', class: 'button', onclick: () => void operate('Resume', executionPath(executionId, 'resume')) }, '▶ Resume')
          : null,
        ['queued', 'running', 'waiting'].includes(execution.status) && !execution.cancelRequested
          ? h(
              'button',
              {
                type: 'button',
                class: 'button button-danger',
                'data-testid': 'cancel-button',
                onclick: () => confirm('Cancel this execution?') && void operate('Cancel', executionPath(executionId, 'cancel')),
              },
              '⊘ Cancel',
            )
          : null,
        execution.status !== 'queued'
          ? h('button', { type: 'button', class: 'button', 'data-testid': 'replay-button', onclick: () => openReplay() }, '↻ Replay…')
          : null,
      ),
    );
  };

  const renderTimeline = () => {
    if (!detail) return;
    const all = flatten(tree).map(({ checkpoint }) => checkpoint);
    const ends = all.map((checkpoint) => checkpoint.endedAt ?? Date.now());
    const start = detail.createdAt;
    const end = Math.max(start + 1, detail.endedAt ?? Date.now(), ...ends);
    replace(
      timeline,
      checkpointTimeline(tree, {
        span: { start, end },
        expanded,
        ...(detail.failedCheckpoint ? { failedId: detail.failedCheckpoint.id } : {}),
        onReplayFrom: (checkpoint) => openReplay({ from: checkpoint.id }),
        onOverride: (checkpoint) => openReplay({ override: checkpoint.id }),
      }),
    );
  };

  const render = async (execution: ExecutionDetail) => {
    renderHeader(execution);
    const pending = execution.waits.filter((wait) => wait.status === 'pending').map((wait) => wait.id);
    // The status panel holds the wait forms: rebuilt only when what it shows changes, not while someone types.
    const nextStatus = JSON.stringify([
      execution.status,
      execution.abandoned,
      execution.cancelRequested,
      pending,
      execution.error,
      execution.failedCheckpoint?.id,
      execution.stats.checkpoints,
    ]);
    if (nextStatus !== statusSignature) {
      // What a notice announced ("resumes…", "started…") has happened or been overtaken once the status moves.
      if (statusSignature && previousStatus !== execution.status) notice.querySelector('.notice-info')?.remove();
      previousStatus = execution.status;
      statusSignature = nextStatus;
      replace(
        status,
        statusPanel(execution, {
          retry: () => void operate('Retry', executionPath(executionId, 'retry')),
          resume: () => void operate('Resume', executionPath(executionId, 'resume')),
          openReplay: () => openReplay(),
          showCheckpoint,
          answered: (message) => {
            say('info', message);
            statusSignature = '';
            poller.now();
          },
        }),
      );
    }
    replace(usage, usagePanel(execution));
    // The output (or the error) is in the status panel above; the input is what every session started from.
    replace(io, h('section', { class: 'io' }, h('h2', null, 'Input'), valueView(execution.input, { testId: 'execution-input' })));
  };

  const refresh = async (): Promise<boolean> => {
    let next: ExecutionDetail;
    try {
      next = await apiGet<ExecutionDetail>(executionPath(executionId));
    } catch (error) {
      if (error instanceof ApiFailure && (error.code === 'execution_not_found' || error.code === 'bad_request')) {
        replace(
          root,
          h('nav', { class: 'breadcrumb' }, h('a', { href: '/', 'data-nav': '' }, 'Executions')),
          h('div', { class: 'notice notice-error', 'data-testid': 'not-found' }, error.message),
        );
        return false;
      }
      throw error;
    }
    const text = JSON.stringify(next);
    const changed = text !== detailText;
    detailText = text;
    detail = next;
    if (changed) await render(next);
    const light = await apiGet<{ checkpoints: Checkpoint[] }>(`${executionPath(executionId, 'checkpoints')}?payloads=false`);
    const signature = JSON.stringify(
      flatten(light.checkpoints).map(({ checkpoint }) => [checkpoint.id, checkpoint.status, checkpoint.attempts, checkpoint.endedAt, checkpoint.reused]),
    );
    if (signature !== treeSignature || changed) {
      treeSignature = signature;
      tree = (await apiGet<{ checkpoints: Checkpoint[] }>(executionPath(executionId, 'checkpoints'))).checkpoints;
      if (!focused && next.failedCheckpoint) {
        focused = true;
        expanded.add(next.failedCheckpoint.id);
      }
      renderTimeline();
      if (next.replayOf) {
        try {
          replace(comparison, await replayComparison(next, tree));
        } catch (error) {
          replace(comparison, h('p', { class: 'muted' }, `The original could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
        }
      }
      artifacts.update((await apiGet<{ artifacts: Artifact[] }>(executionPath(executionId, 'artifacts'))).artifacts);
    } else if (!finalStatuses.has(next.status)) {
      renderTimeline(); // running bars grow
    }
    return !finalStatuses.has(next.status);
  };

  const poller = poll(refresh, 1500);
  return {
    dispose: () => {
      poller.stop();
      logs.dispose();
    },
  };
}
