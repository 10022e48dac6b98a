import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { applyExecutionPatch, recordFromRow } from '@keel/core/store';
import type { ClaimFilter, ExecutionRecord, Lease } from '@keel/core/store';
import type { PostgresAccess } from './postgres-access.js';
import { inPooledTransaction } from './pooled-transaction.js';

/**
 * `Store.claimQueued` on PostgreSQL, in a transaction of its own (see {@link inPooledTransaction}):
 * the oldest queued execution the filter accepts, locked `FOR UPDATE SKIP LOCKED` so workers claiming
 * at the same moment each get another one (or none) instead of queueing behind one row lock, then
 * started under `lease` in the same transaction. A claim retried
 * after its connection was lost first looks for the row it may have committed (by the write id kept in
 * `last_write`), so a lost reply never leaves an execution claimed by nobody who knows it.
 */
export async function claimQueued(db: PostgresAccess, pool: pg.Pool, filter: ClaimFilter, lease: Lease): Promise<ExecutionRecord | null> {
  if (filter.flows.length === 0) return null;
  const s = db.schema;
  const write = randomUUID();
  const anyVersion = filter.flows.filter((entry) => entry.codeVersions.includes('*')).map((entry) => entry.flow);
  const pairs = filter.flows.flatMap((entry) => entry.codeVersions.map((version) => [entry.flow, version] as const));
  return db.run('claimQueued', async (attempt) => {
    if (attempt > 1) {
      const earlier = await pool.query<{ id: string; record: ExecutionRecord }>(`SELECT id, record FROM ${s}.executions WHERE last_write = $1`, [write]);
      const claimed = earlier.rows[0];
      if (claimed) return recordFromRow<ExecutionRecord>(claimed.record, db.row('executions', `id "${claimed.id}"`), { id: claimed.id });
    }
    return inPooledTransaction(pool, async (client) => {
      const found = await client.query<{ id: string; record: ExecutionRecord }>(
        `SELECT id, record FROM ${s}.executions
         WHERE status = 'queued' AND flow = ANY($1::text[])
           AND (record->>'codeVersion' IS NULL OR flow = ANY($2::text[])
                OR (flow, record->>'codeVersion') IN (SELECT * FROM unnest($3::text[], $4::text[])))
         ORDER BY id LIMIT 1
         FOR UPDATE SKIP LOCKED`,
        [filter.flows.map((entry) => entry.flow), anyVersion, pairs.map(([flow]) => flow), pairs.map(([, version]) => version)],
      );
      const row = found.rows[0];
      if (row === undefined) return null;
      const current = recordFromRow<ExecutionRecord>(row.record, db.row('executions', `id "${row.id}"`), { id: row.id });
      const next = applyExecutionPatch(current, { status: 'running', lease, sessions: current.sessions + 1, error: null, endedAt: null }, Date.now());
      await client.query(
        `UPDATE ${s}.executions SET status = $2, version = $3, lease_owner = $4, lease_expires_at = $5, updated_at = $6, last_write = $7, record = $8
         WHERE id = $1`,
        [next.id, next.status, next.version, lease.owner, lease.expiresAt, next.updatedAt, write, JSON.stringify(next)],
      );
      return next;
    });
  });
}
