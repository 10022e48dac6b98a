import { ExecutionLeasedError, type RunResult } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { parseAmount, parseJsonArgument, readJsonFile } from '../command-arguments.js';
import { closestName } from '../closest-name.js';
import { ArgumentInvalidError } from '../errors/argument-invalid-error.js';
import { FlowUnknownError } from '../errors/flow-unknown-error.js';
import type { FlowCatalog } from '../project/flow-catalog.js';
import type { Project } from '../project/open-project.js';
import { followExecution } from './follow-execution.js';
import { runWithProgress } from './run-with-progress.js';

/** Options of `keel run`. */
export interface RunCommandOptions {
  readonly input?: string;
  readonly inputFile?: string;
  readonly queue?: boolean;
  readonly json?: boolean;
  /** The execution's spend budget in US dollars at list price (instead of the flow's). */
  readonly budgetUsd?: string;
  /** The execution's spend budget in tokens (instead of the flow's). */
  readonly budgetTokens?: string;
}

/** `keel run <flow>`: starts an execution and shows it live until it completes, fails or waits. */
export async function runCommand(context: CliContext, flow: string, options: RunCommandOptions): Promise<void> {
  if (options.input !== undefined && options.inputFile !== undefined) {
    throw new ArgumentInvalidError({ argument: '--input', problem: 'give either --input or --input-file, not both.' });
  }
  const input =
    options.input !== undefined
      ? parseJsonArgument(options.input, '--input')
      : options.inputFile !== undefined
        ? await readJsonFile(options.inputFile, '--input-file')
        : undefined;
  const budget = {
    ...(options.budgetTokens !== undefined ? { tokens: parseAmount(options.budgetTokens, '--budget-tokens') } : {}),
    ...(options.budgetUsd !== undefined ? { usd: parseAmount(options.budgetUsd, '--budget-usd') } : {}),
  };
  const project = await context.open(true);
  const catalog = await project.loadFlows();
  requireFlow(catalog, flow);
  const { runtime } = project;
  // Created queued first, so its id is known (and shown) before the body starts.
  const { executionId } = await runtime.start(flow, input, Object.keys(budget).length ? { budget } : {});
  if (options.queue) {
    if (options.json) context.terminal.line(JSON.stringify({ executionId, flow, status: 'queued' }, null, 2));
    else {
      context.terminal.line(`${context.terminal.colors.dim('○')} queued ${executionId} (${flow})`);
      context.terminal.line(context.terminal.colors.dim(`A worker runs it: ${context.hint('worker', '--once')}   or keep \`keel worker\` running`));
    }
    return;
  }
  const { exitCode } = await runWithProgress(context, project, {
    flow,
    title: `Running ${context.terminal.colors.bold(flow)}`,
    executionId,
    json: options.json ?? false,
    operation: async (): Promise<RunResult> => {
      try {
        return await runtime.executions.resume(executionId);
      } catch (error) {
        // A worker took the queued execution in the moment between start and resume: follow it there.
        if (ExecutionLeasedError.isInstance(error)) return followExecution(project, executionId);
        throw error;
      }
    },
  });
  context.exitCode = exitCode;
}

/** Fails with the known flows (and the likely one meant) when `flow` is not defined. */
export function requireFlow(catalog: FlowCatalog, flow: string): void {
  if (catalog.names.includes(flow)) return;
  const suggestion = closestName(flow, catalog.names);
  throw new FlowUnknownError({
    flow,
    known: catalog.names.map((name) => (catalog.moduleOf.has(name) ? `${name} (${catalog.moduleOf.get(name)})` : name)),
    modules: catalog.modules,
    ...(suggestion !== undefined ? { suggestion } : {}),
  });
}
