import type { ExecutionDetail } from './api-types.js';
import { h, type Child } from './dom.js';
import { formatDuration, formatTime } from './format.js';
import { valueView } from './value-view.js';
import { waitForm } from './wait-form.js';

/** What the status panel's buttons do. */
export interface StatusActions {
  retry(): void;
  resume(): void;
  openReplay(): void;
  showCheckpoint(id: string): void;
  answered(message: string): void;
}

/** What each kind of failure means, in words a newcomer can act on. */
const failureHints: Readonly<Record<string, string>> = {
  DivergenceError:
    "On resume the flow made a different call than the one recorded at the same place, so the stored result would have been the wrong answer. The flow's code (or its input) changed since the run was recorded. Revert the change and retry, or replay from a checkpoint before the change.",
  ReplayMissError:
    "This hermetic replay reached a call the original run never made (or one after the replay's starting point). Replay it live, or give an override for that checkpoint.",
  WaitTimeoutError: 'Nobody answered the wait before its timeout.',
  CheckpointTimeoutError: 'A call ran longer than its timeout and was aborted. It may succeed on retry; otherwise give it a longer timeout.',
  SerializationError:
    'A value could not be stored: the checkpoint returned something that is not plain data (a class instance, a function, a circular structure).',
  UnfinishedCallError: 'An at-most-once call was interrupted and may or may not have happened; someone has to decide whether to run it again.',
  ExecutionCancelledError: 'Someone cancelled the execution.',
  FlowNotFoundError: 'The process that ran it had no flow registered under this name.',
};

/**
 * The answer to "what is going on with this run?": why it failed and where, what it waits for (with
 * forms), whether its process is alive, and what to do next.
 */
export function statusPanel(detail: ExecutionDetail, actions: StatusActions): HTMLElement {
  switch (detail.status) {
    case 'failed':
      return failurePanel(detail, actions);
    case 'waiting':
      return waitingPanel(detail, actions);
    case 'running':
      return runningPanel(detail, actions);
    case 'queued':
      return panel('queued', 'Queued', h('p', null, 'It starts when a worker picks it up (', h('code', null, 'keel worker'), ' against the same store).'));
    case 'completed':
      return panel(
        'completed',
        `Completed${detail.durationMs !== undefined ? ` in ${formatDuration(detail.durationMs)}` : ''}`,
        detail.sessions > 1 ? h('p', { class: 'muted' }, `It took ${detail.sessions} sessions (run, then resumes or retries).`) : null,
        valueView(detail.output, { label: 'Output', testId: 'execution-output' }),
      );
    case 'cancelled':
      return panel(
        'cancelled',
        'Cancelled',
        h('p', null, detail.endedAt ? `at ${formatTime(detail.endedAt)}. ` : '', 'Replay makes a new execution from its records.'),
      );
  }
}

function failurePanel(detail: ExecutionDetail, actions: StatusActions): HTMLElement {
  const error = detail.error as { name?: string; message?: string; stack?: string } | undefined;
  const failed = detail.failedCheckpoint;
  const name = error?.name ?? failed?.error?.name ?? 'Error';
  const message = error?.message ?? failed?.error?.message ?? 'No error was recorded.';
  const reusable = Math.max(0, detail.stats.checkpoints - detail.stats.failed! - detail.waits.filter((wait) => wait.status === 'pending').length);
  const where: Child = failed
    ? [
        'It failed at checkpoint ',
        h(
          'a',
          {
            href: `#checkpoint-${failed.id}`,
            class: 'checkpoint-link',
            'data-testid': 'failed-checkpoint-link',
            onclick: (event: Event) => (event.preventDefault(), actions.showCheckpoint(failed.id)),
          },
          failed.id,
        ),
        ` — a ${failed.kind === 'step' ? 'step' : `${failed.kind} call`}`,
        failed.attempts > 1 ? `, after ${failed.attempts} attempts` : '',
        failed.durationMs !== undefined ? ` (${formatDuration(failed.durationMs)})` : '',
        '.',
      ]
    : name === 'DivergenceError'
      ? 'It failed while resuming: the code no longer matches its record.'
      : "It failed in the flow's own code, outside any checkpoint (after its last recorded call).";
  const checkpointMessage = failed?.error && failed.error.message !== message ? failed.error : undefined;
  return panel(
    'failed',
    'This run failed',
    h('p', { 'data-testid': 'failure-where' }, where),
    h('div', { class: 'error-box', 'data-testid': 'failure-message' }, h('strong', null, name), ': ', message),
    checkpointMessage
      ? h('div', { class: 'error-box' }, h('strong', null, `${checkpointMessage.name} at ${failed!.id}`), ': ', checkpointMessage.message)
      : null,
    h(
      'p',
      { class: 'hint' },
      failureHints[name] ??
        (failed ? 'The error came from the call itself; its input (in the timeline below) shows what it was given.' : "The error came from the flow's code."),
    ),
    h(
      'p',
      null,
      h('strong', null, 'Next: '),
      'Retry runs the execution again in this server: ',
      reusable
        ? `the ${reusable} checkpoint${reusable === 1 ? '' : 's'} that completed ${reusable === 1 ? 'is' : 'are'} reused (not run or paid for again), `
        : '',
      failed ? `${failed.id} runs again.` : 'the flow runs from the top over its records.',
      ' Replay makes a new execution, optionally with a changed output.',
    ),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'retry-button', onclick: actions.retry }, '↻ Retry'),
      failed ? h('button', { type: 'button', class: 'button', onclick: () => actions.showCheckpoint(failed.id) }, 'Show in timeline') : null,
      h('button', { type: 'button', class: 'button', onclick: actions.openReplay }, 'Replay…'),
    ),
    error?.stack ? h('details', null, h('summary', null, 'Stack trace'), h('pre', { class: 'value' }, error.stack)) : null,
  );
}

function waitingPanel(detail: ExecutionDetail, actions: StatusActions): HTMLElement {
  const pending = detail.waits.filter((wait) => wait.status === 'pending');
  if (pending.length === 0) {
    return panel(
      'waiting',
      'Answered: ready to resume',
      h('p', null, 'Every question has an answer. A worker (', h('code', null, 'keel worker'), ') resumes it from its records; or resume it here.'),
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'resume-button', onclick: actions.resume }, '▶ Resume now'),
      ),
    );
  }
  return panel(
    'waiting',
    pending.length === 1 ? 'Waiting for input' : `Waiting for ${pending.length} answers`,
    h(
      'p',
      { class: 'muted' },
      'The run is stopped (no process is holding it). Once answered, a worker resumes it from its records: completed calls are not run again.',
    ),
    pending.map((wait) => waitForm(detail.id, wait, actions.answered)),
  );
}

function runningPanel(detail: ExecutionDetail, actions: StatusActions): HTMLElement {
  const lease = detail.lease;
  if (detail.abandoned) {
    return panel(
      'abandoned',
      'Abandoned: its process stopped',
      h(
        'p',
        null,
        lease
          ? `The process that ran it (pid ${lease.pid} on ${lease.host}) stopped renewing its lease at ${formatTime(lease.expiresAt)}; it probably died. `
          : 'Nobody holds it. ',
        'A worker resumes it from its last completed checkpoint, or resume it here.',
      ),
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'resume-button', onclick: actions.resume }, '▶ Resume now'),
      ),
    );
  }
  return panel(
    'running',
    detail.cancelRequested ? 'Cancelling…' : 'Running',
    h('p', null, lease ? `In process ${lease.pid} on ${lease.host}. ` : '', 'This page follows it live.'),
  );
}

function panel(kind: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: `status-panel status-panel-${kind}`, 'data-testid': `status-panel-${kind}` }, h('h2', null, title), children);
}
