import type { Cohort, ExperimentInfo } from '@keel/core';
import type { CliContext } from '../cli-context.js';
import { parseWholeNumber } from '../command-arguments.js';
import { exitCodes } from '../exit-codes.js';
import { experimentReport } from '../output/experiment-report.js';

/** Options of `keel experiments run`. */
export interface ExperimentsRunOptions {
  readonly limit?: string;
  readonly since?: string;
  readonly json?: boolean;
}

/**
 * `keel experiments run <name>`: runs an experiment defined in the config's modules (members replay
 * in this process) and prints its report. Exit 1 when the experiment itself failed.
 */
export async function experimentsRun(context: CliContext, name: string, options: ExperimentsRunOptions): Promise<void> {
  const limit = options.limit === undefined ? undefined : parseWholeNumber(options.limit, '--limit', 1);
  const project = await context.open(true);
  await project.loadFlows();
  const experiment = project.runtime.experiments.named(name);
  const cohort: Partial<Cohort> = { ...(limit !== undefined ? { limit } : {}), ...(options.since !== undefined ? { since: options.since } : {}) };
  const report = await experiment.run({ cohort });
  printReport(context, report, options.json);
}

/** `keel experiments resume <id>`: continues an experiment whose process died; members done are kept. */
export async function experimentsResume(context: CliContext, experimentId: string, options: { json?: boolean }): Promise<void> {
  const project = await context.open(true);
  await project.loadFlows();
  const { name } = await project.runtime.experiments.get(experimentId);
  const report = await project.runtime.experiments.named(name).resume(experimentId);
  printReport(context, report, options.json);
}

function printReport(context: CliContext, report: ExperimentInfo, json: boolean | undefined): void {
  if (json) context.terminal.line(JSON.stringify(report, null, 2));
  else for (const line of experimentReport(report, context.terminal)) context.terminal.line(line);
  if (report.status !== 'completed') context.exitCode = exitCodes.failed;
}
