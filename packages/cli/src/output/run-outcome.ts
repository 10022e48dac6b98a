import type { CheckpointRecord, RunResult } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { exitCodes, type ExitCode } from '../exit-codes.js';
import { toJsonView } from '@keel/core';
import { previewJson } from './json-value.js';
import { inputCommand, renderPendingWait } from './pending-wait.js';
import { formatDuration } from './quantity-format.js';
import { statusIcon, statusWord } from './status-style.js';
import { singleLine, truncate } from './text-layout.js';
import { printNextSteps } from './next-steps.js';

/** The exit code an execution's status means (see {@link exitCodes}). */
export function exitCodeOf(status: RunResult['status']): ExitCode {
  if (status === 'completed') return exitCodes.ok;
  if (status === 'waiting') return exitCodes.waiting;
  return exitCodes.failed;
}

/** A run's outcome for `--json`. */
export function outcomeJson(result: RunResult, flow: string): Record<string, unknown> {
  return {
    executionId: result.executionId,
    flow,
    status: result.status,
    ...(result.status === 'completed' ? { output: toJsonView(result.output) } : {}),
    ...(result.error ? { error: { name: result.error.name, message: result.error.message } } : {}),
    ...(result.waits ? { waits: result.waits } : {}),
  };
}

/**
 * Prints how a run ended and what to do next: the output; for a wait, the question and the exact
 * command that answers it; for a failure, where it failed and how to retry.
 */
export function printOutcome(context: CliContext, result: RunResult, records: readonly CheckpointRecord[], elapsedMs: number): ExitCode {
  const { terminal } = context;
  const { colors } = terminal;
  const id = result.executionId;
  const headline = (extra: string) => `${statusIcon(result.status, colors)} ${colors.bold(statusWord(result.status, colors))}${extra} ${colors.dim('·')} ${id}`;
  terminal.line();
  switch (result.status) {
    case 'completed': {
      terminal.line(headline(` in ${formatDuration(elapsedMs)}`));
      terminal.line(`  ${colors.dim('output')}  ${previewJson(result.output, Math.max(40, terminal.columns - 12))}`);
      terminal.line();
      printNextSteps(terminal, 'Next:', [
        [context.hint('executions', 'show', id), 'checkpoints, artifacts, tokens'],
        [context.hint('artifacts', 'get', id, 'output'), 'the return value'],
      ]);
      break;
    }
    case 'waiting': {
      const waits = result.waits ?? [];
      terminal.line(headline(` for input`));
      const names = waits.map((wait) => wait.name);
      const single = waits.length === 1;
      for (const wait of waits) {
        const ambiguous = names.filter((name) => name === wait.name).length > 1;
        for (const line of renderPendingWait(context, id, wait, { ambiguous, answer: !single })) terminal.line(line);
      }
      terminal.line();
      printNextSteps(
        terminal,
        single
          ? 'Next: answer it (put your value in), then let a worker continue it:'
          : 'Next: answer each wait (the answer lines above), then let a worker continue it:',
        [
          ...(single ? [[inputCommand(context, id, waits[0]!)] as const] : []),
          [context.hint('worker', '--once'), 'or keep `keel worker` running: it resumes executions whose waits got input'],
        ],
      );
      terminal.line(colors.dim(`  (or answer with --resume to continue it right here)`));
      break;
    }
    case 'failed': {
      terminal.line(headline(` after ${formatDuration(elapsedMs)}`));
      const failed = failedCheckpoint(records);
      const message = result.error ? `${result.error.name}: ${result.error.message}` : 'no error recorded';
      terminal.line(`  ${colors.red(truncate(singleLine(message), Math.max(60, terminal.columns * 3)))}`);
      if (failed)
        terminal.line(
          `  ${colors.dim('at checkpoint')} ${failed.id} ${colors.dim(`(${failed.kind}, ${failed.attempts} ${failed.attempts === 1 ? 'attempt' : 'attempts'})`)}`,
        );
      terminal.line();
      printNextSteps(terminal, 'Next:', [
        [context.hint('executions', 'show', id), 'the checkpoint tree and the error'],
        [context.hint('executions', 'retry', id), 'after a fix: completed checkpoints are reused, the failed one runs again'],
      ]);
      break;
    }
    case 'cancelled':
      terminal.line(headline(''));
      printNextSteps(terminal, 'Next:', [[context.hint('executions', 'replay', id), 'a new execution that reuses its completed checkpoints']]);
      break;
  }
  return exitCodeOf(result.status);
}

/** The innermost failed checkpoint: where the failure started. */
export function failedCheckpoint(records: readonly CheckpointRecord[]): CheckpointRecord | undefined {
  const failed = records.filter((record) => record.status === 'failed');
  return failed.find((record) => !failed.some((other) => other.parentId === record.id)) ?? failed[0];
}
