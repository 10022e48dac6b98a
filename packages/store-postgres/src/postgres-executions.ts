import { randomUUID } from 'node:crypto';
import { ExecutionExistsError } from '@keel/core';
import { LeaseLostError, holdsLease, recordFromRow } from '@keel/core/store';
import type { ExecutionFilter, ExecutionPatch, ExecutionRecord, LeaseFence, UpdateResult } from '@keel/core/store';
import { copy, readExecution, type PostgresAccess } from './postgres-access.js';
import { patchParameters, patchedRecord, recordIntact } from './record-patch-sql.js';

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
    const leaseChanges = changes.lease !== undefined;
    const write = randomUUID();
    return this.#db.run('updateExecution', async (attempt) => {
      for (let turn = attempt; ; turn++) {
        // A retried call first looks for its own write: an earlier attempt may have committed before
        // its connection was lost, and a patch without a version condition must not apply twice.
        if (turn > 1) {
          const refused = await this.#refusal(id, write, condition);
          if (refused !== undefined) return refused;
        }
        // The patch, the compare-and-set and the fence in one statement: the row lock it takes makes
        // the conditions hold for the version it changes.
        const updated = await this.#db.query<{ record: unknown }>(
          'update_execution',
          `UPDATE ${this.#db.schema}.executions
           SET status = COALESCE($2::text, status),
               lease_owner = CASE WHEN $3::boolean THEN $4::text ELSE lease_owner END,
               lease_expires_at = CASE WHEN $3::boolean THEN $5::bigint ELSE lease_expires_at END,
               version = version + 1, updated_at = $8, last_write = $9,
               record = ${patchedRecord(6)}
           WHERE id = $1 AND ${recordIntact} AND ($10::integer IS NULL OR version = $10::integer)
             AND ($11::text IS NULL OR (lease_owner = $11::text AND (record->>'sessions')::integer = $12::integer))
           RETURNING record`,
          [
            id,
            changes.status ?? null,
            leaseChanges,
            changes.lease?.owner ?? null,
            changes.lease?.expiresAt ?? null,
            ...patchParameters(changes, Date.now()),
            write,
            condition?.version ?? null,
            condition?.fence?.owner ?? null,
            condition?.fence?.session ?? null,
          ],
        );
        const row = updated.rows[0];
        if (row !== undefined) return { ok: true, record: recordFromRow<ExecutionRecord>(row.record, this.#db.row('executions', `id "${id}"`), { id }) };
      }
    });
  }

  /**
   * Why an update changed no row (or that an earlier attempt of it did): `undefined` when nothing stops
   * it, so it is sent again (another writer changed the row between the statement and this read).
   */
  async #refusal(
    id: string,
    write: string,
    condition: { readonly version?: number; readonly fence?: LeaseFence } | undefined,
  ): Promise<UpdateResult<ExecutionRecord> | undefined> {
    const current = await readExecution(this.#db, id);
    if (current === null) return { ok: false, reason: 'not-found' };
    if (current.lastWrite === write) return { ok: true, record: current.record };
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
      return { ok: false, reason: 'conflict', current: current.record };
    }
    return undefined;
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
