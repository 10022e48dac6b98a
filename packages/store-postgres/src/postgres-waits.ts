import { recordFromRow } from '@keel/core/store';
import type { LeaseFence, PayloadRef, UpdateResult, WaitRecord } from '@keel/core/store';
import { copy, fencedWrite, leaseHeld, type PostgresAccess } from './postgres-access.js';

/** The waits of a PostgreSQL store: put by a session, resolved once by whoever answers first. */
export class PostgresWaits {
  readonly #db: PostgresAccess;

  constructor(access: PostgresAccess) {
    this.#db = access;
  }

  async putWait(record: WaitRecord, fence?: LeaseFence): Promise<void> {
    const values = [record.executionId, record.id, record.status, JSON.stringify(record)];
    const upsert = 'ON CONFLICT (execution_id, id) DO UPDATE SET status = excluded.status, record = excluded.record';
    if (fence === undefined) {
      await this.#db.run('putWait', () =>
        this.#db.query('put_wait', `INSERT INTO ${this.#db.schema}.waits (execution_id, id, status, record) VALUES ($1, $2, $3, $4) ${upsert}`, values),
      );
      return;
    }
    await fencedWrite(this.#db, 'putWait', record.executionId, fence, `wait "${record.id}"`, () =>
      this.#db.query(
        'put_wait_fenced',
        `INSERT INTO ${this.#db.schema}.waits (execution_id, id, status, record)
         SELECT $1::text, $2::text, $3::text, $4::json FROM ${this.#db.schema}.executions ${leaseHeld(5)} ${upsert}`,
        [...values, fence.owner, fence.session],
      ),
    );
  }

  async getWait(executionId: string, id: string): Promise<WaitRecord | null> {
    return this.#db.run('getWait', () => this.#readWait(executionId, id));
  }

  async #readWait(executionId: string, id: string): Promise<WaitRecord | null> {
    const result = await this.#db.query<{ record: WaitRecord }>('get_wait', `SELECT record FROM ${this.#db.schema}.waits WHERE execution_id = $1 AND id = $2`, [
      executionId,
      id,
    ]);
    const row = result.rows[0];
    return row === undefined
      ? null
      : recordFromRow<WaitRecord>(row.record, this.#db.row('waits', `execution "${executionId}", id "${id}"`), { executionId, id });
  }

  async listWaits(executionId: string, filter?: { readonly status?: WaitRecord['status'] }): Promise<WaitRecord[]> {
    return this.#db.run('listWaits', async () => {
      const result =
        filter?.status === undefined
          ? await this.#db.query<{ id: string; record: unknown }>(
              'list_waits',
              `SELECT id, record FROM ${this.#db.schema}.waits WHERE execution_id = $1 ORDER BY position`,
              [executionId],
            )
          : await this.#db.query<{ id: string; record: unknown }>(
              'list_waits_with_status',
              `SELECT id, record FROM ${this.#db.schema}.waits WHERE execution_id = $1 AND status = $2 ORDER BY position`,
              [executionId, filter.status],
            );
      return result.rows.map((row) =>
        recordFromRow<WaitRecord>(row.record, this.#db.row('waits', `execution "${executionId}", id "${row.id}"`), { executionId, id: row.id }),
      );
    });
  }

  async resolveWait(
    executionId: string,
    id: string,
    resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number },
  ): Promise<UpdateResult<WaitRecord>> {
    const given = copy<typeof resolution>(resolution);
    return this.#db.run('resolveWait', async (attempt) => {
      const current = await this.#readWait(executionId, id);
      if (current === null) return { ok: false, reason: 'not-found' } as const;
      if (current.status !== 'pending') {
        // An earlier attempt of this call committed before its connection was lost.
        if (attempt > 1 && isSameResolution(current, given)) return { ok: true, record: current } as const;
        return { ok: false, reason: 'conflict', current } as const;
      }
      const next = copy<WaitRecord>({ ...current, ...given, status: 'resolved' });
      // Applies only while the row is still pending: of two answers given at once, one wins. The
      // trigger on this update sends NOTIFY <schema>_input when it commits.
      const updated = await this.#db.query(
        'resolve_wait',
        `UPDATE ${this.#db.schema}.waits SET status = 'resolved', record = $3
         WHERE execution_id = $1 AND id = $2 AND status = 'pending'`,
        [executionId, id, JSON.stringify(next)],
      );
      if (updated.rowCount === 1) return { ok: true, record: next } as const;
      const now = await this.#readWait(executionId, id);
      return now === null ? ({ ok: false, reason: 'not-found' } as const) : ({ ok: false, reason: 'conflict', current: now } as const);
    });
  }
}

/** Whether a resolved wait holds exactly this resolution (so it was this call that resolved it). */
function isSameResolution(wait: WaitRecord, resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number }): boolean {
  return (
    wait.status === 'resolved' &&
    wait.input?.hash === resolution.input.hash &&
    wait.resolvedAt === resolution.resolvedAt &&
    wait.resolvedBy === resolution.resolvedBy
  );
}
