import { summarizeChange } from '../runtime/replay-change.js';
import type { RunOptions } from '../runtime/types.js';
import type { ExperimentDefinition, ExperimentInput, ExperimentRunOptions } from './experiment-types.js';

/** What an experiment's execution is given: its definition as JSON, with the run's cohort settings on top. */
export function experimentInput(name: string, definition: ExperimentDefinition, options: ExperimentRunOptions): ExperimentInput {
  return {
    experiment: name,
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    cohort: { ...definition.cohort, ...options.cohort },
    concurrency: Math.max(1, Math.trunc(definition.concurrency ?? 4)),
    change: summarizeChange(definition.change),
    evaluators: Object.keys(definition.evaluators ?? {}),
  };
}

/** How an experiment's execution is run: tagged with the experiment's name, under the id asked for. */
export function experimentRunOptions(name: string, options: ExperimentRunOptions): RunOptions {
  return {
    metadata: { experiment: name },
    ...(options.executionId !== undefined ? { executionId: options.executionId } : {}),
  };
}
