import { KeelError } from '../errors/keel-error.js';
import type { ExecutionRecord, LeaseFence } from './records.js';

/**
 * Whether `fence` is the lease `execution` is held with now: the same owner, in the same session. The
 * session number grows with every claim (run, resume, retry, recovery), so a holder that lost the
 * execution and took it again later does not let its older session write either.
 */
export function holdsLease(execution: Pick<ExecutionRecord, 'lease' | 'sessions'> | null | undefined, fence: LeaseFence): boolean {
  return execution?.lease != null && execution.lease.owner === fence.owner && execution.sessions === fence.session;
}

/**
 * The execution a fenced `appendLogs` call writes to: a fence is one execution's lease, so a fenced
 * batch holds the lines of that one execution.
 */
export function fencedLogExecution(records: readonly { readonly executionId: string }[]): string {
  const ids = new Set(records.map((record) => record.executionId));
  if (ids.size !== 1) {
    throw new KeelError(
      `appendLogs with a fence takes the lines of one execution; this batch has ${ids.size} (${[...ids].join(', ')}): append each execution's lines with its own fence.`,
    );
  }
  return [...ids][0]!;
}
