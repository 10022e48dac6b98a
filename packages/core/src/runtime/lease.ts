import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ExecutionRecord, Lease } from '../store/records.js';

const host = hostname();

/** A unique owner id for one runtime instance: readable (host, pid) and unique (random suffix). */
export function newOwnerId(): string {
  return `${host}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** A lease for `owner` that lasts `ttlMs` from now. */
export function leaseFor(owner: string, ttlMs: number, now = Date.now()): Lease {
  return { owner, host, pid: process.pid, expiresAt: now + ttlMs };
}

/**
 * Whether a lease no longer protects anything: it expired, or its holder was a process on this
 * machine that no longer exists (so recovery need not wait for the expiry).
 */
export function isLeaseAbandoned(lease: Lease, now = Date.now()): boolean {
  if (lease.expiresAt <= now) return true;
  if (lease.host !== host) return false;
  if (lease.pid === process.pid) return false;
  return !isProcessAlive(lease.pid);
}

/**
 * Whether an execution has a live holder, the one rule every surface labels executions with (and
 * recovery acts on): `none` when it is not `running`; `abandoned` when nobody holds it or its lease
 * is abandoned (see {@link isLeaseAbandoned}) — a worker or `resume` continues it; else `held`.
 */
export function executionLeaseState(execution: Pick<ExecutionRecord, 'status' | 'lease'>, now = Date.now()): 'held' | 'abandoned' | 'none' {
  if (execution.status !== 'running') return 'none';
  return !execution.lease || isLeaseAbandoned(execution.lease, now) ? 'abandoned' : 'held';
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
