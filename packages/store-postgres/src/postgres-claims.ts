import { randomUUID } from 'node:crypto';
import { recordFromRow } from '@keel/core/store';
import type { ClaimFilter, ExecutionRecord, Lease } from '@keel/core/store';
import type { PostgresAccess } from './postgres-access.js';
import { patchParameters, patchedRecord, recordIntact } from './record-patch-sql.js';

/**
 * `Store.claimQueued` on PostgreSQL, in one statement (one round trip): the oldest queued execution
 * the filter accepts, locked `FOR UPDATE SKIP LOCKED` so workers claiming at the same moment each get
 * another one (or none) instead of queueing behind one row lock, and started under `lease` by the
 * same statement. A claim retried after its connection was lost first looks for the row it may have
 * committed (by the write id kept in `last_write`), so a lost reply never leaves an execution claimed
 * by nobody who knows it.
 */
export async function claimQueued(db: PostgresAccess, filter: ClaimFilter, lease: Lease): Promise<ExecutionRecord | null> {
  if (filter.flows.length === 0) return null;
  const s = db.schema;
  const write = randomUUID();
  const anyVersion = filter.flows.filter((entry) => entry.codeVersions.includes('*')).map((entry) => entry.flow);
  const pairs = filter.flows.flatMap((entry) => entry.codeVersions.map((version) => [entry.flow, version] as const));
  return db.run('claimQueued', async (attempt) => {
    if (attempt > 1) {
      const earlier = await db.query<{ id: string; record: ExecutionRecord }>(
        'claim_queued_earlier',
        `SELECT id, record FROM ${s}.executions WHERE last_write = $1`,
        [write],
      );
      const claimed = earlier.rows[0];
      if (claimed) return recordFromRow<ExecutionRecord>(claimed.record, db.row('executions', `id "${claimed.id}"`), { id: claimed.id });
    }
    const patch = { status: 'running', lease, error: null, endedAt: null } as const;
    // `picked` is the row the claim locked; `claimed` what the update made of it, absent when the row
    // holds a garbled record (then reading `picked` reports it, and the row stays as it was).
    const result = await db.query<{ id: string; version: number; picked: unknown; claimed: unknown }>(
      'claim_queued',
      `WITH picked AS (
         SELECT id, version, record FROM ${s}.executions
         WHERE status = 'queued' AND flow = ANY($1::text[])
           AND (record->>'codeVersion' IS NULL OR flow = ANY($2::text[])
                OR (flow, record->>'codeVersion') IN (SELECT * FROM unnest($3::text[], $4::text[])))
         ORDER BY id LIMIT 1
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE ${s}.executions
         SET status = 'running', version = version + 1, lease_owner = $5, lease_expires_at = $6, updated_at = $9, last_write = $10,
             record = ${patchedRecord(7, `, 'sessions', (record->>'sessions')::integer + 1`)}
         WHERE id = (SELECT id FROM picked) AND ${recordIntact}
         RETURNING id, record
       )
       SELECT picked.id, picked.version, picked.record AS picked, claimed.record AS claimed FROM picked LEFT JOIN claimed USING (id)`,
      [
        filter.flows.map((entry) => entry.flow),
        anyVersion,
        pairs.map(([flow]) => flow),
        pairs.map(([, version]) => version),
        lease.owner,
        lease.expiresAt,
        ...patchParameters(patch, Date.now()),
        write,
      ],
    );
    const row = result.rows[0];
    if (row === undefined) return null;
    const where = db.row('executions', `id "${row.id}"`);
    if (row.claimed !== null) return recordFromRow<ExecutionRecord>(row.claimed, where, { id: row.id });
    recordFromRow(row.picked, where, { id: row.id, version: row.version }); // throws: the record is garbled
    throw new Error(`claimQueued left ${where} unclaimed, though its record matches its row`);
  });
}
