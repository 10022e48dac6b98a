import type { ExperimentAggregate, MemberResult } from './experiment-types.js';

/** Totals over the members done so far, of a cohort of `members`. */
export function aggregateMembers(results: readonly MemberResult[], members: number): ExperimentAggregate {
  const tools = { recorded: 0, live: 0, missed: 0, replaced: 0, reused: 0 };
  const tokens = { original: 0, replay: 0 };
  const modelCalls = { original: 0, replay: 0 };
  let cost: { original: number; replay: number } | undefined = { original: 0, replay: 0 };
  let completed = 0;
  let changedOutputs = 0;
  const scores = new Map<string, number[]>();
  for (const result of results) {
    const comparison = result.comparison;
    if (comparison?.replay.status === 'completed') completed += 1;
    if (!comparison) {
      cost = undefined;
      continue;
    }
    if (!comparison.output.equal) changedOutputs += 1;
    for (const key of Object.keys(tools) as (keyof typeof tools)[]) tools[key] += comparison.tools[key];
    tokens.original += comparison.original.totalTokens;
    tokens.replay += comparison.replay.totalTokens;
    modelCalls.original += comparison.original.modelCalls;
    modelCalls.replay += comparison.replay.modelCalls;
    if (cost && comparison.original.cost !== undefined && comparison.replay.cost !== undefined) {
      cost.original += comparison.original.cost;
      cost.replay += comparison.replay.cost;
    } else cost = undefined;
    for (const [name, evaluation] of Object.entries(result.evaluations)) {
      if (!('score' in evaluation)) continue;
      scores.set(name, [...(scores.get(name) ?? []), evaluation.score]);
    }
  }
  const compared = results.filter((result) => result.comparison).length;
  return {
    members,
    done: results.length,
    completed,
    failed: results.length - completed,
    changedOutputs,
    equalOutputs: compared - changedOutputs,
    tools,
    tokens: { ...tokens, delta: tokens.replay - tokens.original },
    modelCalls,
    ...(cost && results.length > 0 ? { cost: { ...cost, delta: cost.replay - cost.original } } : {}),
    evaluations: Object.fromEntries(
      [...scores].map(([name, values]) => [name, { mean: values.reduce((sum, value) => sum + value, 0) / values.length, count: values.length }]),
    ),
  };
}
