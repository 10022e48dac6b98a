import type { ExecutionFilter, ExecutionRecord } from './records.js';

/**
 * Whether an execution matches a filter's `flow`, `status` and `before` fields (`limit` is applied by
 * the caller). Shared by the backends that filter in code rather than in a query.
 */
export function matchesExecutionFilter(record: ExecutionRecord, filter: ExecutionFilter): boolean {
  if (filter.flow !== undefined && record.flow !== filter.flow) return false;
  if (filter.status !== undefined) {
    const statuses: readonly string[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
    if (!statuses.includes(record.status)) return false;
  }
  if (filter.before !== undefined && !(record.id < filter.before)) return false;
  return true;
}
