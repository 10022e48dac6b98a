import type { Store } from '../store/store.js';
import { checkpoint } from '../runtime/checkpoint.js';
import { currentScope } from '../runtime/scope.js';
import type { ReplayOptions, RunResult } from '../runtime/types.js';
import { KeelError } from '../errors/keel-error.js';
import { aggregateMembers } from './aggregate-members.js';
import { selectCohort } from './cohort.js';
import { compareExecutions } from './compare-executions.js';
import { evaluateMember } from './evaluate-member.js';
import type { ExperimentAggregate, ExperimentDefinition, ExperimentInput, MemberResult } from './experiment-types.js';
import { mapBounded } from './map-bounded.js';

/** Experiments are executions of flows named `experiment:<name>`. */
export const experimentFlowPrefix = 'experiment:';

/** The flow an experiment runs as. */
export function experimentFlowName(name: string): string {
  return `${experimentFlowPrefix}${name}`;
}

/** What an experiment's flow uses of its runtime. */
export interface ExperimentHost {
  store(): Promise<Store>;
  replay(executionId: string, options: ReplayOptions): Promise<RunResult>;
  cancel(executionId: string): Promise<unknown>;
}

/**
 * The body of an experiment's flow. The cohort is chosen in a checkpoint (a resumed experiment
 * replays the same executions), and each member is a checkpoint keyed by its original's id: a crash
 * mid-experiment resumes with the members not yet done, and reuses the ones that are.
 */
export function experimentBody(host: ExperimentHost, definition: ExperimentDefinition) {
  return async (input: ExperimentInput): Promise<ExperimentAggregate> => {
    const experimentId = currentScope()!.session.executionId;
    const store = await host.store();
    const cohort = await checkpoint('cohort', () => selectCohort(store, input.cohort));
    const members = await mapBounded(cohort, input.concurrency, (originalId) =>
      checkpoint('member', (context) => runMember(host, definition, { experimentId, name: input.experiment, originalId, attempt: context.attempt }), {
        key: originalId,
        ordered: false,
        metadata: { original: originalId },
      }),
    );
    return aggregateMembers(members, cohort.length);
  };
}

async function runMember(
  host: ExperimentHost,
  definition: ExperimentDefinition,
  member: { experimentId: string; name: string; originalId: string; attempt: number },
): Promise<MemberResult> {
  const store = await host.store();
  const { experimentId, originalId } = member;
  // An earlier attempt was cut by a crash: its replay is stopped (nobody may finish it without the
  // change, which lives in this code) and the member is replayed again from the start.
  if (member.attempt > 1) await cancelEarlierAttempts(host, store, experimentId, originalId);
  let result: RunResult;
  try {
    result = await host.replay(originalId, {
      change: definition.change,
      metadata: { experiment: experimentId, experimentName: member.name, member: originalId },
    });
  } catch (error) {
    if (!KeelError.isInstance(error)) throw error;
    return { original: originalId, error: { name: error.name, message: error.message }, evaluations: {} };
  }
  const [original, replay] = await Promise.all([store.getExecution(originalId), store.getExecution(result.executionId)]);
  const comparison = await compareExecutions(store, original!, replay!, definition.price);
  const evaluations = await evaluateMember(store, definition.evaluators ?? {}, original!, replay!);
  return { original: originalId, replay: result.executionId, comparison, evaluations };
}

async function cancelEarlierAttempts(host: ExperimentHost, store: Store, experimentId: string, originalId: string): Promise<void> {
  const original = await store.getExecution(originalId);
  if (!original) return;
  const unfinished = await store.listExecutions({ flow: original.flow, status: ['queued', 'running', 'waiting'] });
  for (const execution of unfinished) {
    if (execution.metadata?.experiment !== experimentId || execution.metadata.member !== originalId) continue;
    await host.cancel(execution.id).catch(() => {}); // Already ended meanwhile: nothing to stop.
  }
}
