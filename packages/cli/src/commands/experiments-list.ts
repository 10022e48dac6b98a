import type { CliContext } from '../cli-context.js';
import { parseWholeNumber } from '../command-arguments.js';
import { experimentReport, experimentsTable } from '../output/experiment-report.js';

/** `keel experiments list`: the newest experiments in the store, with progress and totals. */
export async function experimentsList(context: CliContext, options: { name?: string; limit?: string; json?: boolean }): Promise<void> {
  const limit = options.limit === undefined ? 20 : parseWholeNumber(options.limit, '--limit', 1);
  const project = await context.open(false);
  const experiments = await project.runtime.experiments.list({ limit, ...(options.name !== undefined ? { name: options.name } : {}) });
  const { terminal } = context;
  if (options.json) {
    terminal.line(JSON.stringify(experiments, null, 2));
    return;
  }
  if (experiments.length === 0) {
    terminal.line(`No experiments yet in ${project.storeLabel}.`);
    terminal.line(
      terminal.colors.dim(`Define one with experiment(name, { cohort, change }) in a flow module, then ${context.hint('experiments', 'run', 'NAME')}.`),
    );
    return;
  }
  for (const line of experimentsTable(experiments, terminal)) terminal.line(line);
}

/** `keel experiments show <id>`: an experiment's change, totals and members (works with the store alone). */
export async function experimentsShow(context: CliContext, experimentId: string, options: { json?: boolean }): Promise<void> {
  const project = await context.open(false);
  const experiment = await project.runtime.experiments.get(experimentId);
  if (options.json) context.terminal.line(JSON.stringify(experiment, null, 2));
  else for (const line of experimentReport(experiment, context.terminal)) context.terminal.line(line);
}
