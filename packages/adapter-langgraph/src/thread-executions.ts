import { createHash } from 'node:crypto';
import { encodeValue } from '@keel/core/adapter';
import { contentHash } from '@keel/core/adapter';
import type { ExecutionRecord, Store } from '@keel/core';

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
  const readable = threadId.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[-.]+/, '').slice(0, 48);
  const digest = createHash('sha256').update(threadId).digest('hex').slice(0, 16);
  return readable ? `lgthread_${readable}_${digest}` : `lgthread_${digest}`;
}

/**
 * Makes sure the execution holding `threadId`'s checkpoints exists. It is a record keeper, not a run:
 * it is created `completed`, so no worker picks it up and no surface offers to resume it, and it
 * belongs to a flow nobody registers, so a replay of it fails plainly instead of running something.
 */
export async function ensureThreadExecution(store: Store, threadId: string): Promise<string> {
  const id = threadExecutionId(threadId);
  if (await store.getExecution(id)) return id;
  const now = Date.now();
  const input = { thread_id: threadId };
  const text = encodeValue(input, `the input of LangGraph thread "${threadId}"`);
  const ref = { hash: contentHash(text), size: Buffer.byteLength(text) };
  await store.putBlob(ref.hash, text);
  try {
    await store.createExecution({
      id,
      flow: threadFlowName,
      status: 'completed',
      input: ref,
      lease: null,
      sessions: 0,
      createdAt: now,
      endedAt: now,
      metadata: { [threadMetadataKey]: threadId, 'langgraph.role': 'checkpoints' },
    });
  } catch (error) {
    // Another process created it a moment ago: that one is as good as ours.
    if (!(await store.getExecution(id))) throw error;
  }
  return id;
}

/** The thread an execution of {@link threadFlowName} holds. */
export function threadIdOf(execution: ExecutionRecord): string | undefined {
  const value = execution.metadata?.[threadMetadataKey];
  return typeof value === 'string' ? value : undefined;
}
