import type { ExecutionRecord } from '../store/records.js';
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
    const { executionId: experimentId, number: session } = currentScope()!.session;
    const store = await host.store();
    const cohort = await checkpoint('cohort', () => selectCohort(store, input.cohort));
    // Read once per run, not per member, and only when an earlier session (cut by a crash, or failed
    // and retried) may have started replays: a first run lists nothing more than its cohort.
    const earlier = session > 1 ? await earlierReplays(store, experimentId, input.cohort.flow) : new Map<string, ExecutionRecord[]>();
    const members = await mapBounded(cohort, input.concurrency, (originalId) =>
      checkpoint('member', () => runMember(host, definition, { experimentId, name: input.experiment, originalId, earlier: earlier.get(originalId) ?? [] }), {
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
  member: { experimentId: string; name: string; originalId: string; earlier: readonly ExecutionRecord[] },
): Promise<MemberResult> {
  const store = await host.store();
  const { experimentId, originalId } = member;
  let replayId = await settleEarlierReplays(host, member.earlier);
  if (replayId === undefined) {
    try {
      replayId = (
        await host.replay(originalId, {
          change: definition.change,
          metadata: { experiment: experimentId, experimentName: member.name, member: originalId },
        })
      ).executionId;
    } catch (error) {
      if (!KeelError.isInstance(error)) throw error;
      return { original: originalId, error: { name: error.name, message: error.message }, evaluations: {} };
    }
  }
  const [original, replay] = await Promise.all([store.getExecution(originalId), store.getExecution(replayId)]);
  const comparison = await compareExecutions(store, original!, replay!, definition.price);
  const evaluations = await evaluateMember(store, definition.evaluators ?? {}, original!, replay!);
  return { original: originalId, replay: replayId, comparison, evaluations };
}

/** The replays an earlier run of this experiment started, by the id of the member's original. */
async function earlierReplays(store: Store, experimentId: string, flow: string): Promise<Map<string, ExecutionRecord[]>> {
  const byOriginal = new Map<string, ExecutionRecord[]>();
  for (const execution of await store.listExecutions({ flow })) {
    const original = execution.metadata?.member;
    if (execution.metadata?.experiment !== experimentId || typeof original !== 'string') continue;
    byOriginal.set(original, [...(byOriginal.get(original) ?? []), execution]);
  }
  return byOriginal;
}

/**
 * A member's replays from a run of the experiment that a crash cut short. One that ended is the
 * member's replay (the crash fell between its end and the member's checkpoint; replaying again would
 * pay for it twice): its id is returned. Unfinished ones are stopped (nobody may finish them without
 * the change, which lives in this code) and the member is replayed again from the start.
 */
async function settleEarlierReplays(host: ExperimentHost, earlier: readonly ExecutionRecord[]): Promise<string | undefined> {
  const ended = earlier.find((execution) => execution.status === 'completed' || execution.status === 'failed');
  if (ended) return ended.id;
  for (const execution of earlier) {
    if (execution.status === 'cancelled') continue;
    await host.cancel(execution.id).catch(() => {}); // Already ended meanwhile: nothing to stop.
  }
  return undefined;
}
