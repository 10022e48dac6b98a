import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { loadPayload } from '../serialization/payloads.js';
import type { Evaluation, Evaluator, MemberResult, MemberSide } from './experiment-types.js';

/** Runs each evaluator on a member's two sides; an evaluator that throws is reported, not fatal. */
export async function evaluateMember(
  store: Store,
  evaluators: Readonly<Record<string, Evaluator>>,
  original: ExecutionRecord,
  replay: ExecutionRecord,
): Promise<MemberResult['evaluations']> {
  const names = Object.keys(evaluators);
  if (names.length === 0) return {};
  const [left, right] = await Promise.all([memberSide(store, original), memberSide(store, replay)]);
  const results: Record<string, Evaluation | { error: string }> = {};
  // One after another: a judge's calls are checkpoints, numbered in call order.
  for (const name of names) {
    try {
      results[name] = asEvaluation(await evaluators[name]!(left, right));
    } catch (error) {
      results[name] = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
  return results;
}

async function memberSide(store: Store, execution: ExecutionRecord): Promise<MemberSide> {
  const artifacts: Record<string, unknown> = {};
  for (const artifact of await store.listArtifacts(execution.id)) artifacts[artifact.name] = await loadPayload(store, artifact.payload);
  return {
    executionId: execution.id,
    status: execution.status,
    ...(execution.output ? { output: await loadPayload(store, execution.output) } : {}),
    ...(execution.error ? { error: { name: execution.error.name, message: execution.error.message } } : {}),
    artifacts,
  };
}

function asEvaluation(value: number | boolean | Evaluation): Evaluation {
  if (typeof value === 'boolean') return { score: value ? 1 : 0 };
  if (typeof value === 'number') return { score: value };
  return value.note === undefined ? { score: value.score } : { score: value.score, note: value.note };
}
