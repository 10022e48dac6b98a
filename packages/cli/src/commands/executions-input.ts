import { userInfo } from 'node:os';
import { WaitInputInvalidError } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { parseJsonArgument, readJsonFile } from '../command-arguments.js';
import { ArgumentInvalidError } from '../errors/argument-invalid-error.js';
import { exitCodes } from '../exit-codes.js';
import { describeSchema, withoutDialect } from '../output/json-schema-text.js';
import { inputCommand } from '../output/pending-wait.js';
import { printNextSteps } from '../output/next-steps.js';
import { requireFlowCode } from '../project/flow-code.js';
import { runWithProgress } from './run-with-progress.js';

/** Options of `keel executions input`. */
export interface InputOptions {
  readonly wait?: string;
  readonly value?: string;
  readonly valueFile?: string;
  readonly resume?: boolean;
  readonly json?: boolean;
}

/**
 * `keel executions input <id> --wait <name> --value <json>`: answers a pending wait. The value is
 * validated against the JSON Schema stored with the wait; a refused value changes nothing and exits 2
 * with the schema's complaints. It does not run the flow (a worker does, or `--resume` here).
 */
export async function executionsInput(context: CliContext, executionId: string, options: InputOptions): Promise<void> {
  if ((options.value === undefined) === (options.valueFile === undefined)) {
    throw new ArgumentInvalidError({
      argument: '--value',
      problem: `give the input as JSON with --value '<json>' (or --value-file <path>), e.g. --value '{"approved": true}'.`,
    });
  }
  const value = options.value !== undefined ? parseJsonArgument(options.value, '--value') : await readJsonFile(options.valueFile!, '--value-file');
  const project = await context.open(false);
  const { executions } = project.runtime;
  const { terminal } = context;
  const { colors } = terminal;
  const execution = await executions.get(executionId);
  // Before the input is stored: a refused command changes nothing.
  if (options.resume) requireFlowCode(project, { command: 'executions input --resume', operation: 'resume', flow: execution.flow, executionId });
  const pending = execution.waits.filter((wait) => wait.status === 'pending');
  let waitName = options.wait;
  if (waitName === undefined) {
    if (pending.length !== 1) {
      throw new ArgumentInvalidError({
        argument: '--wait',
        problem: pending.length
          ? `execution ${executionId} waits on ${pending.map((wait) => `${wait.name} (${wait.id})`).join(', ')}; say which with --wait <name>.`
          : `execution ${executionId} has no pending wait (it is ${execution.status}).`,
      });
    }
    waitName = pending[0]!.name;
  }
  let answered;
  try {
    answered = await executions.input(executionId, waitName, value, { resolvedBy: `cli:${safeUser()}` });
  } catch (error) {
    if (!WaitInputInvalidError.isInstance(error)) throw error;
    const wait = pending.find((candidate) => candidate.id === error.waitId);
    if (options.json) {
      terminal.line(
        JSON.stringify({ accepted: false, executionId, waitId: error.waitId, issues: error.issues, ...(wait ? { schema: wait.schema } : {}) }, null, 2),
      );
    } else {
      terminal.error(`${colors.red('error:')} ${error.message}`);
      if (wait) {
        terminal.error(`  ${colors.dim('expects')}  ${describeSchema(wait.schema)}`);
        terminal.error(`  ${colors.dim('schema ')}  ${JSON.stringify(withoutDialect(wait.schema))}`);
        terminal.error(`  ${colors.dim('e.g.   ')}  ${inputCommand(context, executionId, wait, options.wait ?? wait.name)}`);
      }
    }
    context.exitCode = exitCodes.usage;
    return;
  }
  if (options.json && !options.resume) {
    terminal.line(JSON.stringify({ accepted: true, executionId, waitId: answered.waitId, pending: answered.pending }, null, 2));
    return;
  }
  if (!options.json) {
    terminal.line(`${colors.green('✓')} input accepted for ${answered.waitId} of ${executionId}`);
    if (answered.pending.length) {
      terminal.line(`  still waiting for: ${answered.pending.map((wait) => `${wait.name} (${wait.id})`).join(', ')}`);
      for (const wait of answered.pending) terminal.line(colors.dim(`  ${inputCommand(context, executionId, wait)}`));
    } else if (!options.resume) {
      printNextSteps(terminal, 'Nothing runs until the execution is resumed, with either', [
        [context.hint('worker', '--once'), 'or a running `keel worker` picks it up within its poll interval'],
        [context.hint('executions', 'resume', executionId), 'runs it here'],
      ]);
    }
  }
  if (options.resume && answered.pending.length === 0) {
    await project.loadFlows();
    const { exitCode } = await runWithProgress(context, project, {
      flow: execution.flow,
      title: `Resuming ${colors.bold(execution.flow)}`,
      executionId,
      json: options.json ?? false,
      operation: () => executions.resume(executionId),
    });
    context.exitCode = exitCode;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
