import type { CliContext } from '../cli-context.js';
import { renderCheckpointTree } from '../output/checkpoint-tree.js';
import { toJsonView } from '@keel/core';
import { previewJson } from '../output/json-value.js';
import { executionLeaseState } from '@keel/core';
import { budgetOf, costRollup, describeSpend, formatUsd, modelUsageOf, type CheckpointRecord, type CostRollup } from '@keel/core';
import { formatSpend } from '../output/spend-format.js';
import { formatModelUsage } from '../output/model-usage.js';
import { renderPendingWait } from '../output/pending-wait.js';
import { formatBytes, formatDuration, formatRelativeTime } from '../output/quantity-format.js';
import { failedCheckpoint } from '../output/run-outcome.js';
import { statusIcon, statusWord } from '../output/status-style.js';
import { columns } from '../output/text-layout.js';

/**
 * `keel executions show <id>`: everything about one execution — its input and output, the checkpoint
 * tree (kind, status, duration, attempts, model and tokens), pending waits with their question and
 * schema, artifacts, and the error of a failed run.
 */
export async function executionsShow(context: CliContext, executionId: string, options: { json?: boolean }): Promise<void> {
  const project = await context.open(false);
  const { executions } = project.runtime;
  const execution = await executions.get(executionId);
  const artifacts = await executions.artifacts(executionId);
  const checkpoints = await (await project.runtime.store()).listCheckpoints(executionId);
  const cost = await costRollup(checkpoints);
  if (options.json) {
    const decoded = await executions.checkpoints(executionId);
    context.terminal.line(JSON.stringify(toJsonView({ execution, checkpoints: decoded, waits: execution.waits, artifacts, cost }), null, 2));
    return;
  }
  const { terminal } = context;
  const { colors } = terminal;
  const now = Date.now();
  const lease = executionLeaseState(execution, now);
  terminal.line(
    `${statusIcon(execution.status, colors)} ${colors.bold(execution.id)} ${colors.dim('·')} ${execution.flow} ${colors.dim('·')} ${statusWord(execution.status, colors)}` +
      (lease === 'abandoned' ? ` ${statusWord('abandoned', colors)}` : ''),
  );
  const facts: string[][] = [];
  const took = execution.endedAt !== undefined ? `, took ${formatDuration(execution.endedAt - execution.createdAt)}` : '';
  facts.push([
    'created',
    `${formatRelativeTime(execution.createdAt, now)} (${new Date(execution.createdAt).toISOString()})${took}, ${execution.sessions} ${execution.sessions === 1 ? 'session' : 'sessions'}`,
  ]);
  facts.push(['input', previewJson(execution.input, Math.max(40, terminal.columns - 14))]);
  if (execution.status === 'completed') facts.push(['output', previewJson(execution.output, Math.max(40, terminal.columns - 14))]);
  if (execution.replayOf) {
    const origin = execution.replayOf;
    facts.push([
      'replay of',
      `${origin.executionId}${origin.from !== undefined ? ` from ${origin.from}` : ''}${origin.overridden.length ? `, overriding ${origin.overridden.join(', ')}` : ''}${origin.hermetic ? ', hermetic' : ''}`,
    ]);
  }
  if (execution.codeVersion !== undefined) {
    const original = execution.replayOf?.codeVersion;
    facts.push([
      'code',
      `${execution.codeVersion}${original !== undefined && original !== execution.codeVersion ? colors.dim(` (replaying a run of ${original})`) : ''}`,
    ]);
  }
  if (execution.status === 'running' && execution.lease) {
    facts.push([
      'holder',
      lease === 'abandoned'
        ? `pid ${execution.lease.pid} on ${execution.lease.host} is gone or its lease expired: a worker recovers it (${context.hint('worker', '--once')})`
        : `pid ${execution.lease.pid} on ${execution.lease.host}, lease ${formatRelativeTime(execution.lease.expiresAt, now).replace(/^in /, 'renewed, expires in ')}`,
    ]);
  } else if (execution.status === 'running') facts.push(['holder', `none (handed back): a worker recovers it (${context.hint('worker', '--once')})`]);
  const totals = tokenTotals(checkpoints);
  if (totals) facts.push(['tokens', totals]);
  facts.push(...costFacts(cost, execution.replayOf?.executionId));
  const budget = budgetOf(execution);
  if (budget)
    facts.push(['budget', `${describeSpend(budget, cost.spent)} spent ${colors.dim('(the budget it started with; raises are answers to its budget waits)')}`]);
  // The budget has its own line above.
  const { budget: _budget, ...labels } = execution.metadata ?? {};
  if (Object.keys(labels).length) facts.push(['labels', JSON.stringify(labels)]);
  for (const line of columns(facts.map(([label, value]) => [colors.dim(label!), value!]))) terminal.line(`  ${line}`);

  terminal.line();
  terminal.line(colors.bold(`Checkpoints (${checkpoints.length})`));
  if (checkpoints.length === 0) terminal.line(colors.dim('  none yet'));
  for (const line of renderCheckpointTree(checkpoints, { colors, now, indent: '  ', annotate: (record) => annotation(record, cost, colors.magenta) })) {
    terminal.line(line);
  }

  const pending = execution.waits.filter((wait) => wait.status === 'pending');
  if (pending.length) {
    terminal.line();
    terminal.line(colors.bold(`Waiting for input (${pending.length})`));
    const names = pending.map((wait) => wait.name);
    for (const wait of pending) {
      for (const line of renderPendingWait(context, execution.id, wait, { ambiguous: names.filter((name) => name === wait.name).length > 1 }))
        terminal.line(line);
    }
  }
  const answered = execution.waits.filter((wait) => wait.status !== 'pending');
  if (answered.length) {
    terminal.line();
    terminal.line(colors.bold(`Answered waits (${answered.length})`));
    const rows = answered.map((wait) => [
      `  ${wait.id}`,
      wait.status === 'timed-out' ? colors.red('timed out') : `${previewJson(wait.input, 50)}`,
      colors.dim([wait.resolvedBy, wait.resolvedAt !== undefined ? formatRelativeTime(wait.resolvedAt, now) : undefined].filter(Boolean).join(', ')),
    ]);
    for (const line of columns(rows)) terminal.line(line);
  }

  terminal.line();
  terminal.line(colors.bold(`Artifacts (${artifacts.length})`));
  if (artifacts.length === 0) terminal.line(colors.dim('  none'));
  const artifactRows = artifacts.map((artifact) => [
    `  ${artifact.name}`,
    artifact.type,
    formatBytes(artifact.payload.size),
    formatRelativeTime(artifact.createdAt, now),
    colors.dim(artifact.checkpointId !== null ? `from ${artifact.checkpointId}` : ''),
  ]);
  for (const line of columns(artifactRows)) terminal.line(line);
  if (artifacts.length) terminal.line(colors.dim(`  ${context.hint('artifacts', 'get', execution.id, artifacts[0]!.name)}`));

  if (execution.error && (execution.status === 'failed' || execution.status === 'cancelled')) {
    terminal.line();
    terminal.line(colors.bold(execution.status === 'failed' ? 'Error' : 'Cancelled'));
    terminal.line(`  ${colors.red(`${execution.error.name}: ${execution.error.message}`)}`);
    const failed = failedCheckpoint(checkpoints);
    if (failed) terminal.line(`  ${colors.dim('at checkpoint')} ${failed.id}`);
    if (context.globals.debug && execution.error.stack)
      for (const line of execution.error.stack.split('\n').slice(1)) terminal.line(colors.dim(`  ${line.trim()}`));
    if (execution.status === 'failed') terminal.line(colors.dim(`  After a fix: ${context.hint('executions', 'retry', execution.id)}`));
  }
}

function tokenTotals(checkpoints: readonly { metadata?: Readonly<Record<string, unknown>> }[]): string | undefined {
  let input = 0;
  let output = 0;
  let seen = false;
  const models = new Set<string>();
  for (const checkpoint of checkpoints) {
    const usage = modelUsageOf(checkpoint.metadata);
    if (!usage) continue;
    if (usage.model) models.add(usage.model);
    if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) {
      seen = true;
      input += usage.inputTokens ?? 0;
      output += usage.outputTokens ?? 0;
    }
  }
  if (!seen) return undefined;
  return formatModelUsage({ ...(models.size ? { model: [...models].join(', ') } : {}), inputTokens: input, outputTokens: output });
}

/** The `cost` lines: the whole run, and for a replay what it spent anew apart from what it reused. */
function costFacts(cost: CostRollup, original: string | undefined): string[][] {
  if (cost.total.calls === 0) return [];
  if (cost.reused.calls === 0) return [['cost', formatSpend(cost.total)]];
  return [
    ['cost', `${formatSpend(cost.spent)} spent anew`],
    ['reused', `${formatSpend(cost.reused)} recorded by ${original ?? 'the original'}, not paid again`],
  ];
}

/**
 * A tree line's note: an overridden output, a model call's cost, or what the model calls below a
 * checkpoint cost (a tool that ran an inner agent).
 */
function annotation(record: Pick<CheckpointRecord, 'id' | 'kind' | 'metadata'>, cost: CostRollup, magenta: (text: string) => string): string | undefined {
  if (record.metadata?.overridden === true) return magenta('overridden');
  const spend = cost.byCheckpoint[record.id];
  if (!spend) return undefined;
  if (record.kind !== 'model') return `below: ${formatSpend(spend)}`;
  return spend.unpricedCalls ? 'price unknown' : `~$${formatUsd(spend.usd)}`;
}
