import { recordFromRow } from '@keel/core/store';
import type { ArtifactRecord, LeaseFence } from '@keel/core/store';
import { fencedWrite, leaseHeld, type PostgresAccess } from './postgres-access.js';

/** The artifacts of a PostgreSQL store: named results of an execution, upserted by name. */
export class PostgresArtifacts {
  readonly #db: PostgresAccess;

  constructor(access: PostgresAccess) {
    this.#db = access;
  }

  async putArtifact(record: ArtifactRecord, fence?: LeaseFence): Promise<void> {
    const values = [record.executionId, record.name, JSON.stringify(record)];
    const upsert = 'ON CONFLICT (execution_id, name) DO UPDATE SET record = excluded.record';
    if (fence === undefined) {
      await this.#db.run('putArtifact', () =>
        this.#db.query('put_artifact', `INSERT INTO ${this.#db.schema}.artifacts (execution_id, name, record) VALUES ($1, $2, $3) ${upsert}`, values),
      );
      return;
    }
    await fencedWrite(this.#db, 'putArtifact', record.executionId, fence, `artifact "${record.name}"`, () =>
      this.#db.query(
        'put_artifact_fenced',
        `INSERT INTO ${this.#db.schema}.artifacts (execution_id, name, record)
         SELECT $1::text, $2::text, $3::json FROM ${this.#db.schema}.executions ${leaseHeld(4)} ${upsert}`,
        [...values, fence.owner, fence.session],
      ),
    );
  }

  async getArtifact(executionId: string, name: string): Promise<ArtifactRecord | null> {
    return this.#db.run('getArtifact', async () => {
      const result = await this.#db.query<{ record: ArtifactRecord }>(
        'get_artifact',
        `SELECT record FROM ${this.#db.schema}.artifacts WHERE execution_id = $1 AND name = $2`,
        [executionId, name],
      );
      const row = result.rows[0];
      return row === undefined
        ? null
        : recordFromRow<ArtifactRecord>(row.record, this.#db.row('artifacts', `execution "${executionId}", name "${name}"`), { executionId, name });
    });
  }

  async listArtifacts(executionId: string): Promise<ArtifactRecord[]> {
    return this.#db.run('listArtifacts', async () => {
      const result = await this.#db.query<{ name: string; record: unknown }>(
        'list_artifacts',
        `SELECT name, record FROM ${this.#db.schema}.artifacts WHERE execution_id = $1 ORDER BY position`,
        [executionId],
      );
      return result.rows.map((row) =>
        recordFromRow<ArtifactRecord>(row.record, this.#db.row('artifacts', `execution "${executionId}", name "${row.name}"`), { executionId, name: row.name }),
      );
    });
  }
}
