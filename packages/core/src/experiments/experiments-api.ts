import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { ExperimentNotFoundError } from '../errors/experiment-not-found-error.js';
import { loadPayload } from '../serialization/payloads.js';
import { aggregateMembers } from './aggregate-members.js';
import { experimentFlowPrefix } from './experiment-flow.js';
import type { ExperimentInfo, ExperimentInput, ExperimentRunOptions, ExperimentSummary, MemberResult } from './experiment-types.js';

/** An experiment defined on a runtime: run it on its cohort, or continue one that was cut short. */
export interface Experiment {
  readonly name: string;
  /** Replays the cohort with the change, compares each member, and returns the experiment. */
  run(options?: ExperimentRunOptions): Promise<ExperimentInfo>;
  /** Queues the experiment for a worker and returns its id at once. */
  start(options?: ExperimentRunOptions): Promise<{ executionId: string }>;
  /** Continues an experiment whose process died: members done are kept, the others run. */
  resume(experimentId: string): Promise<ExperimentInfo>;
}

/** Stored experiments, by id, and the ones defined in the loaded code, by name. */
export interface Experiments {
  /** Experiments in the store, newest first. */
  list(options?: { readonly name?: string; readonly limit?: number }): Promise<ExperimentSummary[]>;
  /** An experiment with its members done so far (it may still be running). */
  get(experimentId: string): Promise<ExperimentInfo>;
  /** Names of the experiments defined on this runtime. */
  defined(): string[];
  /** A defined experiment, by name. */
  named(name: string): Experiment;
}

/** Reads experiments from a store. */
export async function listExperiments(store: Store, options: { name?: string; limit?: number } = {}): Promise<ExperimentSummary[]> {
  const executions = (await store.listExecutions()).filter(
    (execution) =>
      execution.flow.startsWith(experimentFlowPrefix) && (options.name === undefined || execution.flow === `${experimentFlowPrefix}${options.name}`),
  );
  const chosen = executions.slice(0, options.limit ?? executions.length);
  return Promise.all(chosen.map(async (execution) => summaryOf(await readExperiment(store, execution))));
}

/** One experiment, read from its execution and its member checkpoints. */
export async function getExperiment(store: Store, experimentId: string): Promise<ExperimentInfo> {
  const execution = await store.getExecution(experimentId);
  if (!execution || !execution.flow.startsWith(experimentFlowPrefix)) throw new ExperimentNotFoundError({ experiment: experimentId, known: [], kind: 'id' });
  return readExperiment(store, execution);
}

async function readExperiment(store: Store, execution: ExecutionRecord): Promise<ExperimentInfo> {
  const input = (await loadPayload(store, execution.input)) as ExperimentInput;
  const records = await store.listCheckpoints(execution.id);
  const cohortRecord = records.find((record) => record.id === 'cohort:1' && record.status === 'completed');
  const cohortIds = cohortRecord?.output ? ((await loadPayload(store, cohortRecord.output)) as string[]) : [];
  const done = new Map<string, MemberResult>();
  for (const record of records) {
    if (record.name !== 'member' || record.status !== 'completed' || !record.output) continue;
    const result = (await loadPayload(store, record.output)) as MemberResult;
    done.set(result.original, result);
  }
  const members = cohortIds.flatMap((id) => done.get(id) ?? []);
  return {
    id: execution.id,
    name: input.experiment,
    ...(input.description !== undefined ? { description: input.description } : {}),
    status: execution.status,
    createdAt: execution.createdAt,
    ...(execution.endedAt !== undefined ? { endedAt: execution.endedAt } : {}),
    cohort: input.cohort,
    change: input.change,
    concurrency: input.concurrency,
    aggregate: aggregateMembers(members, cohortIds.length),
    ...(execution.error ? { error: { name: execution.error.name, message: execution.error.message } } : {}),
    cohortIds,
    members,
  };
}

function summaryOf(info: ExperimentInfo): ExperimentSummary {
  const { cohortIds: _cohortIds, members: _members, ...summary } = info;
  return summary;
}
