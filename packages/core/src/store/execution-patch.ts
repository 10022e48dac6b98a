import type { ExecutionPatch, ExecutionRecord } from './records.js';

/**
 * Applies an {@link ExecutionPatch} to a record the way every backend must: `null` removes a field
 * (except `lease`, where `null` is the stored value), the version goes up by one and `updatedAt` is
 * set. Backends that update in code share it so the rules cannot drift apart.
 */
export function applyExecutionPatch(current: ExecutionRecord, patch: ExecutionPatch, now: number): ExecutionRecord {
  const next: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null && field !== 'lease') delete next[field];
    else next[field] = value;
  }
  next.version = current.version + 1;
  next.updatedAt = now;
  return next as unknown as ExecutionRecord;
}
