import { hostname } from 'node:os';
import type { ExecutionRecord } from '@keel/core';

const host = hostname();

/**
 * Whether a `running` execution still has a live holder. `abandoned` means a worker will recover it:
 * nobody holds it, its lease expired, or its holder was a process on this machine that is gone (the
 * same rule `@keel/core` applies, repeated here only to label output).
 */
export function leaseState(execution: Pick<ExecutionRecord, 'status' | 'lease'>, now = Date.now()): 'held' | 'abandoned' | 'none' {
  if (execution.status !== 'running') return 'none';
  const lease = execution.lease;
  if (!lease || lease.expiresAt <= now) return 'abandoned';
  if (lease.host === host && lease.pid !== process.pid && !isAlive(lease.pid)) return 'abandoned';
  return 'held';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
