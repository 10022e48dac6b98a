import { estimateModelCost, experiment, type Evaluator, type Experiment, type PriceFunction, type ToolAnswers } from '@keel/core';
import { callObserver } from './call-observer.js';
import { languageModel } from './model-choice.js';
import { newsScoutFlowName } from './news-scout-flow.js';
import { offlineModelId, terseOfflineModelId } from './offline-scout-model.js';

/** Options of {@link scoutExperiment}. */
export interface ScoutExperimentOptions {
  /** The offline variant that replaces the offline scout model. */
  readonly modelId: string;
  /** How tool calls are answered (default: all from the original's records, a miss fails). */
  readonly toolAnswers?: ToolAnswers;
  readonly description?: string;
  /** At most this many runs, newest first. */
  readonly limit?: number;
}

/**
 * An experiment on News Scout's recorded runs: the offline scout model swapped for one of its
 * variants, every member scored by whether its brief keeps the original's stories, tokens priced
 * at the real models the offline ones stand in for.
 */
export function scoutExperiment(name: string, options: ScoutExperimentOptions): Experiment {
  return experiment(name, {
    ...(options.description !== undefined ? { description: options.description } : {}),
    cohort: { flow: newsScoutFlowName, since: '7d', ...(options.limit !== undefined ? { limit: options.limit } : {}) },
    change: {
      models: { [offlineModelId]: languageModel({ provider: 'offline', modelId: options.modelId }, callObserver()) },
      ...(options.toolAnswers ? { toolAnswers: options.toolAnswers } : {}),
    },
    evaluators: { keepsStories },
    price: scoutPrice,
  });
}

/** The real models the offline ones are priced as: the full writer as gpt-4.1, the terse one as gpt-4.1-mini. */
const pricedAs: Readonly<Record<string, string>> = { [offlineModelId]: 'openai/gpt-4.1', [terseOfflineModelId]: 'openai/gpt-4.1-mini' };

/** A model call's list price in US dollars, from core's price table; offline models at the real model they stand in for. */
export const scoutPrice: PriceFunction = async ({ model, usage }) => (await estimateModelCost({ ...usage, model: pricedAs[model] ?? model })).usd ?? undefined;

/** The share of the original brief's stories (its `###` headings) that the replay's brief still has. */
export const keepsStories: Evaluator = (original, replay) => {
  const before = headings(original.artifacts['draft_report']);
  if (before.length === 0) return { score: 1, note: 'the original brief has no stories' };
  const after = new Set(headings(replay.artifacts['draft_report']));
  const kept = before.filter((heading) => after.has(heading)).length;
  return { score: kept / before.length, note: `${kept} of ${before.length} stories kept` };
};

function headings(brief: unknown): string[] {
  return typeof brief === 'string' ? [...brief.matchAll(/^###\s+(.+)$/gm)].map((match) => match[1]!.trim()) : [];
}

/**
 * "Try a cheaper model on last week's runs": `keel experiments run cheaper-writer` replays the last
 * seven days of News Scout runs with the terse writer, every tool answered from its record.
 */
export const cheaperWriter = scoutExperiment('cheaper-writer', {
  modelId: terseOfflineModelId,
  description: "The terse writer (a cheaper model's stand-in) on last week's runs, tools answered from their records",
});
