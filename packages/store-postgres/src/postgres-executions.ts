import { randomUUID } from 'node:crypto';
import { ExecutionExistsError } from '@keel/core';
import { LeaseLostError, applyExecutionPatch, holdsLease, recordFromRow } from '@keel/core/store';
import type { ExecutionFilter, ExecutionPatch, ExecutionRecord, LeaseFence, UpdateResult } from '@keel/core/store';
import { copy, readExecution, type PostgresAccess } from './postgres-access.js';

/** The executions of a PostgreSQL store: created once, changed by compare-and-set, listed from indexes. */
export class PostgresExecutions {
  readonly #db: PostgresAccess;

  constructor(access: PostgresAccess) {
    this.#db = access;
  }

  async createExecution(record: Omit<ExecutionRecord, 'version' | 'updatedAt'>): Promise<ExecutionRecord> {
    const stored = copy<ExecutionRecord>({ ...record, version: 1, updatedAt: record.createdAt });
    const write = randomUUID();
    return this.#db.run('createExecution', async () => {
      const inserted = await this.#db.query(
        'create_execution',
        `INSERT INTO ${this.#db.schema}.executions
           (id, flow, status, version, lease_owner, lease_expires_at, created_at, updated_at, last_write, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING`,
        [...executionColumns(stored), write, JSON.stringify(stored)],
      );
      if (inserted.rowCount === 1) return stored;
      // The row exists: ours, when an earlier attempt committed and only its answer was lost.
      const existing = await readExecution(this.#db, record.id);
      if (existing?.lastWrite === write) return stored;
      throw new ExecutionExistsError({ executionId: record.id, location: this.#db.location });
    });
  }

  async getExecution(id: string): Promise<ExecutionRecord | null> {
    return this.#db.run('getExecution', async () => (await readExecution(this.#db, id))?.record ?? null);
  }

  async updateExecution(
    id: string,
    patch: ExecutionPatch,
    condition?: { readonly version?: number; readonly fence?: LeaseFence },
  ): Promise<UpdateResult<ExecutionRecord>> {
    const changes = copy<ExecutionPatch>(patch);
    const write = randomUUID();
    return this.#db.run('updateExecution', async () => {
      for (;;) {
        const current = await readExecution(this.#db, id);
        if (current === null) return { ok: false, reason: 'not-found' } as const;
        // An earlier attempt of this call committed before its connection was lost.
        if (current.lastWrite === write) return { ok: true, record: current.record } as const;
        // The compare-and-set below applies only to the version read here, so the lease checked here
        // is the one the update replaces.
        if (condition?.fence !== undefined && !holdsLease(current.record, condition.fence)) {
          throw new LeaseLostError({
            executionId: id,
            write: 'an update of the execution',
            fence: condition.fence,
            current: current.record,
            store: this.#db.location,
          });
        }
        if (condition?.version !== undefined && condition.version !== current.record.version) {
          return { ok: false, reason: 'conflict', current: current.record } as const;
        }
        const next = applyExecutionPatch(current.record, changes, Date.now());
        // The compare-and-set: another worker may have written between the read and here.
        const updated = await this.#db.query(
          'update_execution',
          `UPDATE ${this.#db.schema}.executions
           SET flow = $2, status = $3, version = $4, lease_owner = $5, lease_expires_at = $6, created_at = $7,
               updated_at = $8, last_write = $9, record = $10
           WHERE id = $1 AND version = $11
           RETURNING version`,
          [...executionColumns(next), write, JSON.stringify(next), current.record.version],
        );
        if (updated.rowCount === 1) return { ok: true, record: next } as const;
        // Lost the race: with a condition the next turn reports the conflict; without one, the patch
        // is applied again to what the other writer left.
      }
    });
  }

  async listExecutions(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    const statuses = filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : [...filter.status];
    if (statuses?.length === 0 || (filter.limit !== undefined && filter.limit <= 0)) return [];
    const conditions: string[] = [];
    const values: unknown[] = [];
    const shape: string[] = [];
    if (filter.flow !== undefined) {
      values.push(filter.flow);
      conditions.push(`flow = $${values.length}`);
      shape.push('flow');
    }
    if (statuses !== undefined) {
      values.push(statuses);
      conditions.push(statuses.length === 1 ? `status = ($${values.length}::text[])[1]` : `status = ANY($${values.length}::text[])`);
      shape.push(statuses.length === 1 ? 'status' : 'statuses');
    }
    if (filter.before !== undefined) {
      values.push(filter.before);
      conditions.push(`id < $${values.length}`);
      shape.push('before');
    }
    let limit = '';
    if (filter.limit !== undefined) {
      values.push(Math.floor(filter.limit));
      limit = `LIMIT $${values.length}`;
      shape.push('limit');
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    return this.#db.run('listExecutions', async () => {
      const result = await this.#db.query<{ id: string; record: unknown }>(
        `list_executions_${shape.join('_')}`,
        `SELECT id, record FROM ${this.#db.schema}.executions ${where} ORDER BY id DESC ${limit}`,
        values,
      );
      return result.rows.map((row) => recordFromRow<ExecutionRecord>(row.record, this.#db.row('executions', `id "${row.id}"`), { id: row.id }));
    });
  }
}

/** `$1 … $8` of the execution insert and update statements. */
function executionColumns(record: ExecutionRecord): unknown[] {
  return [
    record.id,
    record.flow,
    record.status,
    record.version,
    record.lease?.owner ?? null,
    record.lease?.expiresAt ?? null,
    record.createdAt,
    record.updatedAt,
  ];
}
