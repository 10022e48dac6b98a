import type { WaitRecord } from '../store/records.js';
import type { PendingWait } from './types.js';

/** A pending wait as `run()` reports it, from its record: for a surface that reports an execution another process runs. */
export function pendingWaitOf(wait: Pick<WaitRecord, 'name' | 'id' | 'schema' | 'question' | 'metadata' | 'expiresAt'>): PendingWait {
  return {
    name: wait.name,
    id: wait.id,
    schema: wait.schema,
    ...(wait.question !== undefined ? { question: wait.question } : {}),
    ...(wait.metadata !== undefined ? { metadata: wait.metadata } : {}),
    ...(wait.expiresAt !== undefined ? { expiresAt: wait.expiresAt } : {}),
  };
}
