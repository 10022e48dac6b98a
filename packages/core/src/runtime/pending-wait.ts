import type { WaitRecord } from '../store/records.js';
import type { PendingWait } from './types.js';

/**
 * A stored wait as `run()` and `input()` report it; surfaces that report an execution another process
 * runs use it too (it takes a wait as `runtime.executions.get` lists it).
 */
export function toPendingWait(wait: Pick<WaitRecord, 'name' | 'id' | 'schema' | 'question' | 'metadata' | 'expiresAt'>): PendingWait {
  return {
    name: wait.name,
    id: wait.id,
    schema: wait.schema,
    ...(wait.question !== undefined ? { question: wait.question } : {}),
    ...(wait.metadata !== undefined ? { metadata: wait.metadata } : {}),
    ...(wait.expiresAt !== undefined ? { expiresAt: wait.expiresAt } : {}),
  };
}

/** A wait without its input: asked again. */
export function stripResolution(wait: WaitRecord): WaitRecord {
  const { input: _input, resolvedAt: _resolvedAt, resolvedBy: _resolvedBy, ...rest } = wait;
  return rest;
}
