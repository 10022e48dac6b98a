import type { CheckpointRecord, ReplayOptions } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { parseJsonArgument } from '../command-arguments.js';
import { closestName } from '../closest-name.js';
import { ArgumentInvalidError } from '../errors/argument-invalid-error.js';
import { toJsonView } from '@keel/core';
import { previewJson } from '../output/json-value.js';
import { printOutcome } from '../output/run-outcome.js';
import { loadFlowCode } from '../project/flow-code.js';
import { requireFlow } from './run-command.js';
import { runWithProgress } from './run-with-progress.js';

/** Options of `keel executions replay`. */
export interface ReplayCommandOptions {
  readonly from?: string;
  readonly override?: readonly string[];
  readonly hermetic?: boolean;
  readonly json?: boolean;
}

/** How a checkpoint of the replay relates to the original. */
type Fate = 'reused' | 'overridden' | 're-ran';

/**
 * `keel executions replay <id>`: a new execution of the same flow and input that reuses the original's
 * checkpoints before `--from`, takes `--override` values for chosen checkpoints, and runs the rest
 * live (or, `--hermetic`, fails on any call without a record). Then says what was reused, overridden
 * and re-ran, and how the output changed.
 *
 * With overrides and no `--from`, it re-runs from the first overridden checkpoint, so what comes after
 * an override sees the new value (reusing those later checkpoints would make the override moot).
 */
export async function executionsReplay(context: CliContext, executionId: string, options: ReplayCommandOptions): Promise<void> {
  const overrides = parseOverrides(options.override ?? []);
  const project = await context.open(false);
  const { executions } = project.runtime;
  const original = await executions.get(executionId);
  requireFlow(await loadFlowCode(project, { command: 'executions replay', operation: 'replay', flow: original.flow, executionId }), original.flow);
  const store = await project.runtime.store();
  const before = await store.listCheckpoints(executionId);
  const known = before.map((record) => record.id);
  for (const [argument, id] of [
    ...(options.from !== undefined ? [['--from', options.from] as const] : []),
    ...Object.keys(overrides).map((id) => ['--override', id] as const),
  ]) {
    if (known.includes(id)) continue;
    const suggestion = closestName(id, known);
    throw new ArgumentInvalidError({
      argument,
      problem:
        `execution ${executionId} has no checkpoint "${id}".` +
        (suggestion !== undefined ? ` Did you mean "${suggestion}"?` : '') +
        (known.length ? ` Its checkpoints: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.` : ' It has no checkpoints.'),
    });
  }
  let from = options.from;
  if (from === undefined && Object.keys(overrides).length) {
    const overridden = before.filter((record) => record.id in overrides).sort((a, b) => a.seq - b.seq);
    from = overridden[0]?.id;
  }
  const replayOptions: ReplayOptions = {
    overrides,
    hermetic: options.hermetic ?? false,
    ...(from !== undefined ? { from } : {}),
  };
  const earlier = new Set((await executions.list({ flow: original.flow, limit: 50 })).map((execution) => execution.id));
  const locate = async () =>
    (await executions.list({ flow: original.flow, limit: 50 })).find(
      (execution) => execution.replayOf?.executionId === executionId && !earlier.has(execution.id),
    )?.id;
  const startedAt = Date.now();
  const { result, exitCode } = await runWithProgress(context, project, {
    flow: original.flow,
    title: `Replaying ${context.terminal.colors.bold(original.flow)} from ${executionId}${from !== undefined ? ` (live from ${from})` : ''}`,
    locate,
    json: options.json ?? false,
    printResult: false,
    operation: () => executions.replay(executionId, replayOptions),
  });
  const after = await store.listCheckpoints(result.executionId);
  const replay = await executions.get(result.executionId);
  const fates = classify(before, after, replay.createdAt, overrides);
  const diff = {
    executionId: result.executionId,
    replayOf: executionId,
    ...(from !== undefined ? { from } : {}),
    status: result.status,
    reused: fates.filter((fate) => fate.fate === 'reused').map((fate) => fate.id),
    overridden: fates.filter((fate) => fate.fate === 'overridden').map((fate) => fate.id),
    reran: fates
      .filter((fate) => fate.fate === 're-ran')
      .map((fate): { id: string; output?: string; status?: string } => ({ id: fate.id, ...(fate.output ? { output: fate.output } : { status: fate.status }) })),
    notReached: before.filter((record) => !after.some((other) => other.id === record.id)).map((record) => record.id),
    output: { before: toJsonView(original.output), after: toJsonView(replay.output) },
    ...(result.error ? { error: { name: result.error.name, message: result.error.message } } : {}),
  };
  if (options.json) {
    context.terminal.line(JSON.stringify(diff, null, 2));
    context.exitCode = exitCode;
    return;
  }
  const { terminal } = context;
  const { colors } = terminal;
  terminal.line();
  terminal.line(`${colors.bold('Replay')} ${result.executionId} ${colors.dim(`of ${executionId}`)}`);
  const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : colors.dim('none'));
  terminal.line(`  ${colors.dim('reused     ')} ${list(diff.reused)}`);
  terminal.line(`  ${colors.dim('overridden ')} ${list(diff.overridden)}`);
  terminal.line(
    `  ${colors.dim('re-ran     ')} ${list(diff.reran.map((entry) => `${entry.id}${entry.output === 'changed' ? colors.yellow(' (output changed)') : entry.output === 'new' ? colors.cyan(' (new)') : entry.output === 'same' ? colors.dim(' (same output)') : entry.status !== undefined ? colors.dim(` (${entry.status})`) : ''}`))}`,
  );
  if (diff.notReached.length) terminal.line(`  ${colors.dim('not reached')} ${list(diff.notReached)}`);
  const width = Math.max(40, terminal.columns - 16);
  terminal.line(
    `  ${colors.dim('output     ')} before ${original.status === 'completed' ? previewJson(original.output, width) : colors.dim(`(none: ${original.status})`)}`,
  );
  terminal.line(
    `  ${colors.dim('           ')} after  ${replay.status === 'completed' ? previewJson(replay.output, width) : colors.dim(`(none: ${replay.status})`)}`,
  );
  context.exitCode = printOutcome(context, result, after, Date.now() - startedAt);
}

function parseOverrides(assignments: readonly string[]): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) {
      throw new ArgumentInvalidError({
        argument: '--override',
        problem: `"${assignment}" is not <checkpoint>=<json>, e.g. --override 'draft:1="a shorter draft"'.`,
      });
    }
    overrides[assignment.slice(0, equals)] = parseJsonArgument(assignment.slice(equals + 1), `--override ${assignment.slice(0, equals)}`);
  }
  return overrides;
}

function classify(
  before: readonly CheckpointRecord[],
  after: readonly CheckpointRecord[],
  replayCreatedAt: number,
  overrides: Readonly<Record<string, unknown>>,
): { id: string; fate: Fate; output?: 'same' | 'changed' | 'new'; status?: string }[] {
  const original = new Map(before.map((record) => [record.id, record]));
  return after.map((record) => {
    if (record.id in overrides && record.metadata?.overridden === true) return { id: record.id, fate: 'overridden' as const };
    // Records copied from the original keep their original start time; live ones started during the replay.
    if (record.startedAt < replayCreatedAt) return { id: record.id, fate: 'reused' as const };
    const previous = original.get(record.id);
    if (record.status !== 'completed') return { id: record.id, fate: 're-ran' as const, status: record.status };
    const output = !previous ? 'new' : previous.output?.hash === record.output?.hash ? 'same' : 'changed';
    return { id: record.id, fate: 're-ran' as const, output };
  });
}
