/**
 * @module The adapter-author API of Keel (DESIGN §5): what a harness adapter needs to make model
 * requests, tool calls and MCP calls durable, and nothing more.
 *
 * ```ts
 * import { durableCall, durableStream, openWait, isFlowActive, runInFlow } from '@keel/core/adapter';
 * ```
 *
 * It is also the adapters' utilities layer (the role vercel/ai's provider-utils plays): the one
 * request fingerprint, the `ModelCall` record shape and its token usage, payload helpers, the
 * approval schema, the call policy, checkpoint keys, the part channel — so each adapter maps its
 * harness onto these instead of growing its own copy.
 */
import type { z } from 'zod';
import { checkpoint } from './runtime/checkpoint.js';
import { currentScope } from './runtime/scope.js';
import { wait } from './runtime/wait.js';
import type { CheckpointContext, CheckpointOptions, WaitOptions } from './runtime/types.js';

/** What an adapter says about a call it makes durable. */
export interface DurableCallSpec extends CheckpointOptions {
  /** The checkpoint name: a tool's name, `model`, an MCP tool's name. */
  readonly name: string;
}

/**
 * Runs `fn` as a checkpoint with the given kind, key, fingerprint and captured input. Outside a flow
 * it just runs `fn`.
 */
export function durableCall<T>(spec: DurableCallSpec, fn: (context: CheckpointContext) => T | Promise<T>): Promise<Awaited<T>> {
  const { name, ...options } = spec;
  return checkpoint(name, fn, options);
}

/**
 * Records a stream of parts as one checkpoint and replays it as an equivalent stream (same parts, same
 * order). Only a stream read to its end is recorded as completed. A stream cut by a crash has no
 * completed record, so it runs again on resume. One that failed while the process lived (an error
 * part, a dropped connection, a consumer that stopped reading) is recorded as failed: `resume` replays
 * that failure, as for any checkpoint, and `retry` runs it again. Never half-replayed.
 * Outside a flow the stream passes through untouched.
 */
export function durableStream<Part>(
  spec: DurableCallSpec,
  start: (context: CheckpointContext) => AsyncIterable<Part> | Promise<AsyncIterable<Part>>,
): AsyncIterable<Part> {
  const scope = currentScope();
  const { name, ...options } = spec;
  if (!scope) {
    return {
      async *[Symbol.asyncIterator]() {
        yield* await start({
          executionId: '',
          checkpointId: name,
          attempt: 1,
          idempotencyKey: '',
          signal: new AbortController().signal,
          setMetadata: () => {},
        });
      },
    };
  }
  return scope.session.runStream(scope, name, start, options);
}

/** Opens a durable wait (see `wait`). */
export function openWait<Schema extends z.ZodType>(name: string, options: WaitOptions<Schema>): Promise<z.output<Schema>> {
  return wait(name, options);
}

/** Whether the calling code runs inside a flow (so calls become its checkpoints). */
export function isFlowActive(): boolean {
  return currentScope() !== undefined;
}

/** The execution and checkpoint the calling code runs in, or `undefined` outside a flow. */
export function currentExecution():
  | {
      readonly executionId: string;
      readonly checkpointId: string | null;
      /** Which session (run, resume, retry) of the execution this is, 1-based. */
      readonly session: number;
      readonly signal: AbortSignal;
    }
  | undefined {
  const scope = currentScope();
  if (!scope) return undefined;
  return {
    executionId: scope.session.executionId,
    checkpointId: scope.checkpointId,
    session: scope.session.number,
    signal: scope.session.controller.signal,
  };
}

/**
 * What a replay with a change asks of an adapter's model and tool calls, as seen from the calling
 * code. Adapters that support experiments consult it on every call: tool answering by policy needs
 * nothing from them (core does it for every `tool`/`mcp` checkpoint), but a model swap, replaced
 * instructions and a replaced tool implementation reach the harness's own objects.
 */
export interface ReplayChangeView {
  /** The model to call instead of the one with this id, or `undefined` to call it. */
  model(modelId: string): unknown;
  /** Instructions (the system prompt) to send instead of the recorded ones, if the change replaces them. */
  readonly instructions: string | undefined;
  /** The implementation to run instead of this tool's own, if the change replaces it. */
  tool(name: string): ((input: unknown) => unknown) | undefined;
}

/**
 * The change of the replay the calling code runs in (an experiment's member), or `undefined` in any
 * other run and outside a flow.
 *
 * @example
 * ```ts
 * const model = (replayChange()?.model(inner.modelId) as LanguageModel | undefined) ?? inner;
 * ```
 */
export function replayChange(): ReplayChangeView | undefined {
  const change = currentScope()?.session.change?.change;
  if (!change) return undefined;
  return {
    model: (modelId) => change.models?.[modelId],
    instructions: change.instructions,
    tool: (name) => change.tools?.[name],
  };
}

export { runInFlow, type RunInFlowOptions } from './runtime/run-in-flow.js';
export { executionsWithKey, rekeyExecution, unfinishedStatuses } from './runtime/execution-keys.js';
export { encodeValue, decodeValue } from './serialization/codec.js';
export { contentHash } from './serialization/content-hash.js';
export { storableData, jsonCopy } from './serialization/storable-data.js';
export { requestStorage, type RequestStorage } from './serialization/request-storage.js';
export { normalizeRequest, requestFingerprint, fingerprintScheme } from './runtime/request-fingerprint.js';
export { tokenUsage, type ModelCall, type TokenUsage } from './runtime/model-usage.js';
export { approvalSchema, approvalWaitName, type ApprovalDecision } from './adapter/approval.js';
export {
  CallPolicy,
  retryOptions,
  type CallKind,
  type CallPolicyOptions,
  type CallRetryPolicy,
  type CaptureOptions,
  type RetryOption,
  type ToolPolicy,
} from './adapter/call-policy.js';
export { checkpointIdFor, checkpointKey, ordinalKey } from './adapter/checkpoint-keys.js';
export { PartChannel } from './runtime/part-channel.js';
export { RecordKeeper, type RecordKeeperCreation } from './adapter/record-keeper.js';
export { KeyedMutex } from './store/lowdb/keyed-mutex.js';
export { ExecutionWaitingError } from './errors/execution-waiting-error.js';
export type { CheckpointContext, CheckpointOptions, WaitOptions, RunResult } from './runtime/types.js';
