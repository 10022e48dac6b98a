import type { ExperimentAggregate, ExperimentInfo, ExperimentSummary, MemberResult } from '@keel/core';
import { formatRelativeTime } from './quantity-format.js';
import { statusWord } from './status-style.js';
import type { Terminal } from './terminal.js';
import { columns } from './text-layout.js';

/** The experiments table of `keel experiments list`. */
export function experimentsTable(experiments: readonly ExperimentSummary[], terminal: Terminal, now = Date.now()): string[] {
  const { colors } = terminal;
  const rows: string[][] = [
    ['ID', 'NAME', 'STATUS', 'CREATED', 'MEMBERS', 'CHANGED', 'TOOLS REC/LIVE/MISS', 'TOKENS Δ', 'COST Δ'].map((cell) => colors.dim(cell)),
  ];
  for (const experiment of experiments) {
    const { aggregate } = experiment;
    rows.push([
      experiment.id,
      experiment.name,
      statusWord(experiment.status, colors),
      formatRelativeTime(experiment.createdAt, now),
      `${aggregate.done}/${aggregate.members}`,
      String(aggregate.changedOutputs),
      toolCounts(aggregate),
      signed(aggregate.tokens.delta),
      aggregate.cost ? signedCost(aggregate.cost.delta) : colors.dim('-'),
    ]);
  }
  return columns(rows);
}

/** `keel experiments show` (and what `run` ends with): the change, the totals, one row per member. */
export function experimentReport(experiment: ExperimentInfo, terminal: Terminal): string[] {
  const { colors } = terminal;
  const { aggregate, change } = experiment;
  const lines = [
    `${colors.bold(`Experiment ${experiment.name}`)} ${colors.dim(experiment.id)} ${statusWord(experiment.status, colors)}`,
    ...(experiment.description ? [experiment.description] : []),
    `Cohort: flow ${experiment.cohort.flow}, ${aggregate.done}/${aggregate.members} members done (${experiment.concurrency} at a time)`,
    `Change: ${describeChange(change)}`,
    '',
    `Outputs: ${aggregate.changedOutputs} changed, ${aggregate.equalOutputs} equal · replays ${aggregate.completed} completed, ${aggregate.failed} failed`,
    `Tools: ${aggregate.tools.recorded} answered from records, ${aggregate.tools.live} live, ${aggregate.tools.missed} missed, ${aggregate.tools.replaced} replaced, ${aggregate.tools.reused} reused`,
    `Model calls: ${aggregate.modelCalls.original} → ${aggregate.modelCalls.replay} · tokens: ${aggregate.tokens.original} → ${aggregate.tokens.replay} (${signed(aggregate.tokens.delta)})` +
      (aggregate.cost ? ` · cost: ${cost(aggregate.cost.original)} → ${cost(aggregate.cost.replay)} (${signedCost(aggregate.cost.delta)})` : ''),
    ...Object.entries(aggregate.evaluations).map(([name, { mean, count }]) => `Evaluator ${name}: mean ${mean.toFixed(2)} over ${count}`),
    ...(experiment.error ? [colors.red(`${experiment.error.name}: ${experiment.error.message}`)] : []),
  ];
  if (experiment.members.length === 0) return lines;
  const rows: string[][] = [
    ['ORIGINAL', 'REPLAY', 'STATUS', 'OUTPUT', 'FIRST DIFFERENCE', 'TOKENS', 'TOOLS REC/LIVE/MISS', 'SCORES'].map((cell) => colors.dim(cell)),
  ];
  for (const member of experiment.members) rows.push(memberRow(member, terminal));
  return [...lines, '', ...columns(rows)];
}

function memberRow(member: MemberResult, terminal: Terminal): string[] {
  const { colors } = terminal;
  const comparison = member.comparison;
  if (!comparison)
    return [member.original, colors.dim('-'), colors.red('not replayed'), '', member.error ? `${member.error.name}: ${member.error.message}` : '', '', '', ''];
  const scores = Object.entries(member.evaluations)
    .map(([name, evaluation]) => ('score' in evaluation ? `${name}=${evaluation.score.toFixed(2)}` : `${name}=error`))
    .join(' ');
  return [
    member.original,
    member.replay ?? '',
    statusWord(comparison.replay.status, colors),
    comparison.output.equal ? colors.dim('equal') : colors.yellow('changed'),
    comparison.firstDifference ? `${comparison.firstDifference.checkpointId} (${comparison.firstDifference.reason})` : colors.dim('none'),
    `${comparison.original.totalTokens} → ${comparison.replay.totalTokens}`,
    `${comparison.tools.recorded}/${comparison.tools.live}/${comparison.tools.missed}`,
    scores,
  ];
}

function describeChange(change: ExperimentInfo['change']): string {
  const parts = [
    ...Object.entries(change.models ?? {}).map(([from, to]) => `model ${from} → ${to}`),
    ...(change.instructions !== undefined ? ['instructions replaced'] : []),
    ...(change.tools ?? []).map((tool) => `tool ${tool} replaced`),
  ];
  const named = Object.entries(change.toolAnswers.tools ?? {}).map(([tool, answer]) => `${tool} ${answerText(answer)}`);
  parts.push(`tools ${answerText(change.toolAnswers.default)}${named.length ? ` (${named.join(', ')})` : ''}`);
  return parts.join(', ');
}

function answerText(answer: { mode: string; onMiss: string }): string {
  return answer.mode === 'live' ? 'live' : `recorded, on a miss ${answer.onMiss}`;
}

function toolCounts(aggregate: ExperimentAggregate): string {
  return `${aggregate.tools.recorded}/${aggregate.tools.live}/${aggregate.tools.missed}`;
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

function cost(value: number): string {
  return `$${value.toFixed(4)}`;
}

function signedCost(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '-' : ''}$${Math.abs(value).toFixed(4)}`;
}
