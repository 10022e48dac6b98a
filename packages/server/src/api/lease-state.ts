import { hostname } from 'node:os';
import type { Lease } from '@keel/core';

const host = hostname();

/**
 * Whether a lease protects nothing any more, judged as core's recovery judges it: it expired, or its
 * holder was a process on this machine that no longer exists (a worker then takes the run at once).
 */
export function isLeaseAbandoned(lease: Lease, now = Date.now()): boolean {
  if (lease.expiresAt <= now) return true;
  if (lease.host !== host || lease.pid === process.pid) return false;
  try {
    process.kill(lease.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}
