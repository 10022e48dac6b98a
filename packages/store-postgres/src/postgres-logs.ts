import { randomUUID } from 'node:crypto';
import { fencedLogExecution, recordFromRow } from '@keel/core/store';
import type { LeaseFence, LogRecord } from '@keel/core/store';
import { fencedWrite, leaseHeld, type PostgresAccess } from './postgres-access.js';

/** The log lines of a PostgreSQL store: appended in batches that land whole, once, in order. */
export class PostgresLogs {
  readonly #db: PostgresAccess;

  constructor(access: PostgresAccess) {
    this.#db = access;
  }

  async appendLogs(records: readonly LogRecord[], fence?: LeaseFence): Promise<void> {
    const first = records[0];
    if (first === undefined) return;
    const executionIds = records.map((record) => record.executionId);
    const lines = records.map((record) => JSON.stringify(record));
    // One statement, so a batch lands whole and in order; the batch id lets a retry see that an
    // earlier attempt already landed, so no line is written twice.
    const batch = randomUUID();
    const landed = async (attempt: number): Promise<boolean> => {
      if (attempt === 1) return false;
      const found = await this.#db.query('find_log_batch', `SELECT 1 FROM ${this.#db.schema}.logs WHERE execution_id = $1 AND batch = $2 LIMIT 1`, [
        first.executionId,
        batch,
      ]);
      return found.rowCount === 1;
    };
    if (fence === undefined) {
      await this.#db.run('appendLogs', async (attempt) => {
        if (await landed(attempt)) return;
        await this.#db.query(
          'append_logs',
          `INSERT INTO ${this.#db.schema}.logs (execution_id, batch, record)
           SELECT line.execution_id, $3, line.record::json
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS line (execution_id, record, n)
           ORDER BY line.n`,
          [executionIds, lines, batch],
        );
      });
      return;
    }
    const executionId = fencedLogExecution(records);
    await fencedWrite(this.#db, 'appendLogs', executionId, fence, `${records.length} log lines`, async (attempt) => {
      if (await landed(attempt)) return { rowCount: records.length };
      return this.#db.query(
        'append_logs_fenced',
        `INSERT INTO ${this.#db.schema}.logs (execution_id, batch, record)
         SELECT $1::text, $3::uuid, line.record::json
         FROM unnest($2::text[]) WITH ORDINALITY AS line (record, n),
              (SELECT 1 FROM ${this.#db.schema}.executions ${leaseHeld(4, '$1')}) AS lease
         ORDER BY line.n`,
        [executionId, lines, batch, fence.owner, fence.session],
      );
    });
  }

  async listLogs(executionId: string, options: { readonly offset?: number; readonly limit?: number } = {}): Promise<LogRecord[]> {
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    // LIMIT NULL is no limit.
    const limit = options.limit === undefined ? null : Math.max(0, Math.floor(options.limit));
    return this.#db.run('listLogs', async () => {
      const result = await this.#db.query<{ record: LogRecord }>(
        'list_logs',
        `SELECT record FROM ${this.#db.schema}.logs WHERE execution_id = $1 ORDER BY position LIMIT $2 OFFSET $3`,
        [executionId, limit, offset],
      );
      const listed = this.#db.row('logs', `execution "${executionId}"`);
      return result.rows.map((row) => recordFromRow<LogRecord>(row.record, listed, { executionId }));
    });
  }
}
