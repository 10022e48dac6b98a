import { createHash } from 'node:crypto';
import type { ExecutionRecord, Runtime, Store } from '@keel/core';
import { RecordKeeper } from '@keel/core/adapter';

/** The flow name of the executions that hold LangGraph threads' checkpoints. */
export const threadFlowName = 'langgraph:thread';

/** The metadata key that names the thread an execution holds. */
export const threadMetadataKey = 'langgraph.thread_id';

/**
 * The id of the execution that holds a thread's checkpoints: derived from the thread id, so every
 * process (and every store copy) finds the same one, and creating it twice fails instead of forking.
 * Readable where the thread id is a safe file name, hashed always (thread ids are free text).
 */
export function threadExecutionId(threadId: string): string {
  const readable = threadId
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, 48);
  const digest = createHash('sha256').update(threadId).digest('hex').slice(0, 16);
  return readable ? `lgthread_${readable}_${digest}` : `lgthread_${digest}`;
}

/**
 * The keeper of `threadId`'s checkpoints: an execution of {@link threadFlowName}, created on its first
 * write (see core's `RecordKeeper`: completed, of a flow nobody registers, so nothing runs it).
 */
export function threadKeeper(source: Runtime | Store, threadId: string): RecordKeeper {
  return new RecordKeeper(source, threadExecutionId(threadId), {
    flow: threadFlowName,
    input: { thread_id: threadId },
    metadata: { [threadMetadataKey]: threadId, 'langgraph.role': 'checkpoints' },
  });
}

/** The thread an execution of {@link threadFlowName} holds. */
export function threadIdOf(execution: ExecutionRecord): string | undefined {
  const value = execution.metadata?.[threadMetadataKey];
  return typeof value === 'string' ? value : undefined;
}
