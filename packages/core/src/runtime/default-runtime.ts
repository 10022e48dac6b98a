import { KeelRuntime, type Flow, type Runtime } from './runtime.js';
import type { FlowFunction, FlowOptions, RuntimeOptions } from './types.js';
import type { Experiment } from '../experiments/experiments-api.js';
import type { ExperimentDefinition } from '../experiments/experiment-types.js';

let runtime: KeelRuntime | undefined;

/** @internal The default runtime with its implementation's extra members. */
export function defaultKeelRuntime(): KeelRuntime {
  runtime ??= new KeelRuntime({});
  return runtime;
}

/**
 * The runtime that the top-level `flow()` uses: `configure()`d, else `KEEL_STORE`, else `.keel/`.
 * Tools that load flow modules (the CLI, a worker, a server) operate executions through it.
 */
export function defaultRuntime(): Runtime {
  return defaultKeelRuntime();
}

/**
 * Configures the default runtime (store, code version, lease, capture policy). Call it before the
 * first run; a new store applies to operations that start afterwards.
 *
 * @example
 * ```ts
 * configure({ store: memoryStore() });
 * ```
 */
export function configure(options: RuntimeOptions): void {
  defaultKeelRuntime().reconfigure(options);
}

/**
 * Defines a flow on the default runtime: a named async function whose invocations are durable
 * executions.
 *
 * @example
 * ```ts
 * const research = flow('research', async (topic: string) => {
 *   const hits = await checkpoint('search_web', () => searchWeb(topic));
 *   return summarize(hits);
 * });
 * const result = await research.run('AI infrastructure');
 * ```
 */
export function flow<Input, Output>(name: string, fn: FlowFunction<Input, Output>, options?: FlowOptions<Input>): Flow<Input, Output> {
  return defaultKeelRuntime().flow(name, fn, options);
}

/**
 * Defines an experiment on the default runtime: a cohort of recorded executions, replayed with a
 * change (a model swapped, instructions or a tool replaced), each compared with its original.
 *
 * @example
 * ```ts
 * export const terse = experiment('terse-writer', {
 *   cohort: { flow: 'news_scout', since: '7d', limit: 20 },
 *   change: { models: { 'gpt-4.1': openai('gpt-4.1-mini') }, toolAnswers: { default: 'recorded' } },
 * });
 * const report = await terse.run();
 * ```
 */
export function experiment(name: string, definition: ExperimentDefinition): Experiment {
  return defaultKeelRuntime().experiment(name, definition);
}
