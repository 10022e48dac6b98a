import { encodeValue } from '../serialization/codec.js';
import { contentHash } from '../serialization/content-hash.js';
import { defaultKeelRuntime } from './default-runtime.js';
import { currentScope } from './scope.js';
import { executionKeyField, executionsWithKey, unfinishedStatuses } from './execution-keys.js';
import type { Runtime } from './runtime.js';
import type { RunResult } from './types.js';

/** Options of {@link runInFlow}. */
export interface RunInFlowOptions {
  /** The flow name the execution is recorded under (an agent's name, say). */
  readonly name: string;
  /** What the call was given; with `name`, it identifies the execution to continue after a crash. */
  readonly input?: unknown;
  /** An explicit identity instead of `name` + `input` (a conversation id, a ticket number). */
  readonly key?: string;
  /** The runtime to use (default: the default runtime). */
  readonly runtime?: Runtime;
}

/**
 * Runs `fn` inside a flow. Inside an active flow, `fn` simply runs there and its calls become that
 * flow's checkpoints. Outside one — a script that wraps an agent in one line — it opens an execution
 * of an ad-hoc flow: a later call with the same identity (a re-run of the script after a crash)
 * continues the unfinished execution instead of starting over, reusing every completed call.
 */
export async function runInFlow<T>(options: RunInFlowOptions, fn: () => Promise<T>): Promise<RunResult<T>> {
  const scope = currentScope();
  if (scope) return { executionId: scope.session.executionId, status: 'completed', output: await fn() };
  const runtime = options.runtime ?? defaultKeelRuntime();
  const key = options.key ?? contentHash(encodeValue([options.name, options.input], `the input of "${options.name}"`));
  // The closure stands in for the flow's registered body (an adapter's, if any) for this one call, so it
  // keeps that body's code version: a worker that later resumes with the registered body must match.
  const registered = runtime.flows().includes(options.name) ? runtime.versionOf(options.name) : undefined;
  const handle = runtime.flow<unknown, T>(options.name, () => fn(), registered && { version: registered.version, compatibleWith: registered.compatibleWith });
  const [unfinished] = await executionsWithKey(runtime, options.name, [key], unfinishedStatuses);
  if (unfinished) return unfinished.status === 'failed' ? handle.retry(unfinished.id) : handle.resume(unfinished.id);
  return handle.run(options.input, { metadata: { [executionKeyField]: key } });
}
