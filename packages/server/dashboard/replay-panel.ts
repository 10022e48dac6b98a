import { ApiFailure, apiPost, executionPath } from './api-client.js';
import type { Checkpoint } from './api-types.js';
import { h, replace } from './dom.js';

/** How the panel opens: blank, from a checkpoint, or with one checkpoint's output to edit. */
export interface ReplayPrefill {
  readonly from?: string;
  readonly override?: string;
}

/**
 * Starts a replay: a new execution that reuses this one's records. Pick where to re-run from, edit
 * outputs to override, choose live or hermetic; on success the dashboard opens the new execution,
 * which shows what changed against this one.
 */
export function replayPanel(
  executionId: string,
  checkpoints: readonly Checkpoint[],
  prefill: ReplayPrefill,
  onStarted: (newExecutionId: string) => void,
  onClose: () => void,
): HTMLElement {
  const status = h('div', { class: 'form-error', role: 'alert', 'data-testid': 'replay-error' });
  const from = h(
    'select',
    { 'data-testid': 'replay-from', 'aria-label': 'Re-run from' },
    h('option', { value: '' }, 'nothing: reuse every completed checkpoint'),
    checkpoints.map((checkpoint) =>
      h('option', { value: checkpoint.id, selected: checkpoint.id === prefill.from }, `${checkpoint.id} (${checkpoint.kind}, ${checkpoint.status})`),
    ),
  );
  const overridable = checkpoints.filter((checkpoint) => checkpoint.status === 'completed' && checkpoint.kind !== 'wait');
  const overrides = h('div', { class: 'overrides' });
  const addOverride = (checkpointId?: string) => {
    const select = h(
      'select',
      { 'data-testid': 'replay-override-select', 'aria-label': 'Checkpoint to override' },
      overridable.map((checkpoint) => h('option', { value: checkpoint.id, selected: checkpoint.id === checkpointId }, checkpoint.id)),
    );
    const editor = h('textarea', {
      class: 'json-input',
      rows: 6,
      spellcheck: 'false',
      'data-testid': 'replay-override-value',
      'aria-label': 'Output to use instead (JSON)',
    });
    const fill = () => {
      const checkpoint = overridable.find((candidate) => candidate.id === select.value);
      editor.value = checkpoint ? (JSON.stringify(checkpoint.output, null, 2) ?? '') : '';
    };
    select.addEventListener('change', fill);
    fill();
    const entry = h(
      'div',
      { class: 'override', 'data-testid': 'replay-override' },
      h(
        'div',
        { class: 'override-head' },
        'Output of ',
        select,
        ' becomes:',
        h('button', { type: 'button', class: 'link-button', onclick: () => entry.remove() }, 'remove'),
      ),
      editor,
    );
    overrides.append(entry);
  };
  if (prefill.override) addOverride(prefill.override);
  const hermetic = h('input', { type: 'checkbox', id: 'replay-hermetic', 'data-testid': 'replay-hermetic' });

  const start = async () => {
    const body: { from?: string; overrides?: Record<string, unknown>; hermetic: boolean } = { hermetic: hermetic.checked };
    if (from.value) body.from = from.value;
    const entries = [...overrides.querySelectorAll<HTMLElement>('.override')];
    if (entries.length) {
      body.overrides = {};
      for (const entry of entries) {
        const id = entry.querySelector('select')!.value;
        const text = entry.querySelector('textarea')!.value;
        try {
          body.overrides[id] = JSON.parse(text);
        } catch (error) {
          replace(status, `The override for ${id} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
      }
    }
    button.disabled = true;
    replace(status, 'Starting…');
    try {
      const answer = await apiPost<{ executionId: string }>(executionPath(executionId, 'replay'), body);
      onStarted(answer.body.executionId);
    } catch (error) {
      button.disabled = false;
      replace(status, error instanceof ApiFailure ? error.message : String(error));
    }
  };
  const button = h('button', { type: 'button', class: 'button button-primary', 'data-testid': 'replay-start', onclick: () => void start() }, 'Start replay');

  return h(
    'section',
    { class: 'replay-panel', 'data-testid': 'replay-panel' },
    h('h2', null, 'Replay', h('button', { type: 'button', class: 'link-button close', onclick: onClose }, 'close')),
    h(
      'p',
      { class: 'muted' },
      "A replay is a new execution of the same flow and input. It reuses this run's recorded results up to the checkpoint you pick; that checkpoint and everything after it run again. This execution is not changed.",
    ),
    h('div', { class: 'field' }, h('label', null, 'Re-run from'), from),
    h(
      'div',
      { class: 'field' },
      h('label', null, 'Override outputs'),
      h('div', { class: 'field-help' }, 'Replace what a checkpoint returned (edit the JSON) to see how the rest of the run reacts.'),
      overrides,
      overridable.length
        ? h('button', { type: 'button', class: 'link-button', 'data-testid': 'replay-add-override', onclick: () => addOverride() }, '+ override an output')
        : null,
    ),
    h(
      'div',
      { class: 'field field-inline' },
      hermetic,
      h('label', { for: 'replay-hermetic' }, 'Hermetic'),
      h(
        'span',
        { class: 'field-help' },
        ' — a call with no record fails instead of running for real (no model or tool is called; for tests and evaluations). Unchecked, such calls run live.',
      ),
    ),
    h('div', { class: 'form-actions' }, button),
    status,
  );
}
