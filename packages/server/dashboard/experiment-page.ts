import { apiGet, executionPath } from './api-client.js';
import type { Checkpoint, ExecutionDetail, ExperimentChange, ExperimentDetail, ExperimentMember } from './api-types.js';
import { h, replace, type Child } from './dom.js';
import { formatAgo, formatCount } from './format.js';
import type { Page } from './navigation.js';
import { poll } from './poller.js';
import { replayComparison } from './replay-comparison.js';
import { statusBadge } from './status-badge.js';
import { signed, signedUsd, toolCounts } from './experiments-page.js';

/**
 * One experiment: its change and totals, the cohort table (one row per member), and the chosen
 * member side by side with its original: the output and artifact diffs, then the replay diff of
 * every checkpoint (the one the execution page shows for a replay).
 */
export function experimentPage(root: HTMLElement, experimentId: string, query: URLSearchParams): Page {
  document.title = `${experimentId} · Experiments · Keel`;
  const head = h('div');
  const body = h('tbody');
  const detail = h('section', { class: 'member-detail', 'data-testid': 'member-detail' });
  let chosen = query.get('member') ?? undefined;
  let shown: string | undefined;
  replace(
    root,
    h('p', null, h('a', { href: '/experiments', 'data-nav': '' }, '← Experiments')),
    head,
    h('h2', null, 'Cohort'),
    h(
      'table',
      { class: 'executions', 'data-testid': 'cohort-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Original', 'Replay', 'Status', 'Output', 'First difference', 'Tokens', 'Tools rec / live / missed', 'Scores', ''].map((label) =>
            h('th', null, label),
          ),
        ),
      ),
      body,
    ),
    detail,
  );

  const show = async (member: ExperimentMember) => {
    chosen = member.original;
    shown = member.original;
    for (const row of body.querySelectorAll('tr')) row.classList.toggle('selected', row.getAttribute('data-original') === member.original);
    replace(detail, await memberDetail(member));
  };

  const poller = poll(async () => {
    const experiment = await apiGet<ExperimentDetail>(`/api/experiments/${encodeURIComponent(experimentId)}`);
    replace(head, experimentHead(experiment));
    replace(
      body,
      experiment.members.map((member) => memberRow(member, () => void show(member))),
    );
    const member = experiment.members.find((candidate) => candidate.original === chosen) ?? experiment.members[0];
    if (member && member.original !== shown) await show(member);
    else if (member) for (const row of body.querySelectorAll('tr')) row.classList.toggle('selected', row.getAttribute('data-original') === member.original);
    return experiment.status === 'running' || experiment.status === 'queued';
  }, 1000);
  return { dispose: () => poller.stop() };
}

function experimentHead(experiment: ExperimentDetail): Child[] {
  const totals = experiment.aggregate;
  return [
    h('div', { class: 'page-head' }, h('h1', null, `Experiment ${experiment.name}`), statusBadge(experiment.status, { large: true })),
    h(
      'p',
      { class: 'muted' },
      h('code', null, experiment.id),
      ` · started ${formatAgo(experiment.createdAt)} · flow ${experiment.cohort.flow} · ${experiment.concurrency} members at a time`,
    ),
    experiment.description ? h('p', null, experiment.description) : null,
    h('p', { 'data-testid': 'experiment-change' }, h('strong', null, 'Change: '), describeChange(experiment.change)),
    h(
      'ul',
      { class: 'experiment-totals', 'data-testid': 'experiment-totals' },
      h('li', null, `${totals.done} of ${totals.members} members done: ${totals.completed} completed, ${totals.failed} failed`),
      h('li', null, `Outputs: ${totals.changedOutputs} changed, ${totals.equalOutputs} equal`),
      h(
        'li',
        null,
        `Tool calls: ${totals.tools.recorded} answered from records, ${totals.tools.live} live, ${totals.tools.missed} missed, ${totals.tools.replaced} replaced, ${totals.tools.reused} reused`,
      ),
      h(
        'li',
        null,
        `Model calls ${formatCount(totals.modelCalls.original)} → ${formatCount(totals.modelCalls.replay)}, tokens ${formatCount(totals.tokens.original)} → ${formatCount(totals.tokens.replay)} (${signed(totals.tokens.delta)})`,
      ),
      totals.cost
        ? h('li', null, `Estimated cost $${totals.cost.original.toFixed(4)} → $${totals.cost.replay.toFixed(4)} (${signedUsd(totals.cost.delta)})`)
        : null,
      Object.entries(totals.evaluations).map(([name, { mean, count }]) => h('li', null, `Evaluator ${name}: mean ${mean.toFixed(2)} over ${count}`)),
    ),
  ];
}

function memberRow(member: ExperimentMember, choose: () => void): HTMLElement {
  const comparison = member.comparison;
  const link = (id: string) => h('a', { href: `/executions/${encodeURIComponent(id)}`, 'data-nav': '', class: 'execution-id' }, id);
  const scores = Object.entries(member.evaluations).map(([name, evaluation]) =>
    'score' in evaluation ? `${name} ${evaluation.score.toFixed(2)}` : `${name}: error`,
  );
  return h(
    'tr',
    { 'data-testid': 'member-row', 'data-original': member.original },
    h('td', null, link(member.original)),
    h('td', null, member.replay ? link(member.replay) : '—'),
    h('td', null, comparison ? statusBadge(comparison.replay.status) : h('span', { class: 'chip chip-change-failed' }, 'not replayed')),
    h(
      'td',
      null,
      comparison
        ? h('span', { class: `chip ${comparison.output.equal ? 'chip-change-same' : 'chip-change-different'}` }, comparison.output.equal ? 'equal' : 'changed')
        : '—',
    ),
    h(
      'td',
      null,
      comparison?.firstDifference
        ? [h('code', null, comparison.firstDifference.checkpointId), ` ${comparison.firstDifference.reason}`]
        : member.error
          ? member.error.message
          : 'none',
    ),
    h('td', null, comparison ? `${formatCount(comparison.original.totalTokens)} → ${formatCount(comparison.replay.totalTokens)}` : '—'),
    h('td', null, comparison ? toolCounts(comparison) : '—'),
    h('td', null, scores.join(', ') || '—'),
    h('td', null, h('button', { type: 'button', class: 'button', 'data-testid': 'member-compare', onclick: choose }, 'Compare')),
  );
}

async function memberDetail(member: ExperimentMember): Promise<Child[]> {
  const comparison = member.comparison;
  const heading = h('h2', null, 'Member ', h('code', null, member.original));
  if (!comparison || !member.replay)
    return [heading, h('div', { class: 'error-box' }, member.error ? `${member.error.name}: ${member.error.message}` : 'Not replayed.')];
  const [replay, tree] = await Promise.all([
    apiGet<ExecutionDetail>(executionPath(member.replay)),
    apiGet<{ checkpoints: Checkpoint[] }>(executionPath(member.replay, 'checkpoints')),
  ]);
  const changedArtifacts = comparison.artifacts.filter((artifact) => !artifact.equal);
  return [
    heading,
    comparison.tools.misses.length
      ? h(
          'div',
          { class: 'error-box', 'data-testid': 'member-misses' },
          comparison.tools.misses.map(
            (miss) => `${miss.tool} (${miss.checkpointId}): not in the original's records${miss.failed ? ', failed' : ', ran live'}\n`,
          ),
        )
      : null,
    h('h3', null, 'Output'),
    comparison.output.equal ? h('p', { class: 'muted' }, 'The same output.') : diffView(comparison.output.diff ?? '', 'output-diff'),
    changedArtifacts.map((artifact) => [h('h3', null, 'Artifact ', h('code', null, artifact.name)), diffView(artifact.diff ?? '(changed)', 'artifact-diff')]),
    await replayComparison(replay, tree.checkpoints),
  ];
}

/** A unified diff, line by line, added and removed lines marked. */
function diffView(diff: string, testId: string): HTMLElement {
  return h(
    'pre',
    { class: 'value diff', 'data-testid': testId },
    diff
      .split('\n')
      .map((line) =>
        h(
          'span',
          { class: line.startsWith('+') ? 'diff-added' : line.startsWith('-') ? 'diff-removed' : line.startsWith('@@') ? 'diff-hunk' : '' },
          `${line}\n`,
        ),
      ),
  );
}

function describeChange(change: ExperimentChange): string {
  const parts = [
    ...Object.entries(change.models ?? {}).map(([from, to]) => `model ${from} → ${to}`),
    ...(change.instructions !== undefined ? ['instructions replaced'] : []),
    ...(change.tools ?? []).map((tool) => `tool ${tool} replaced`),
  ];
  const answer = (policy: { mode: string; onMiss: string }) =>
    policy.mode === 'live' ? 'live' : `from records (a miss ${policy.onMiss === 'fail' ? 'fails' : 'runs live'})`;
  const named = Object.entries(change.toolAnswers.tools ?? {}).map(([tool, policy]) => `${tool} ${answer(policy)}`);
  parts.push(`tools ${answer(change.toolAnswers.default)}${named.length ? `; ${named.join(', ')}` : ''}`);
  return parts.join(' · ');
}
