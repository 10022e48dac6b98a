import type pg from 'pg';
import type { DeploymentRecord, FlowTagRecord, UpdateResult } from '@keel/core/store';
import type { PostgresAccess } from './postgres-access.js';

/** The deployments and tags of a PostgreSQL store. */
export class PostgresDeployments {
  readonly #db: PostgresAccess;

  constructor(access: PostgresAccess) {
    this.#db = access;
  }

  create(record: DeploymentRecord): Promise<UpdateResult<DeploymentRecord>> {
    const s = this.#db.schema;
    return this.#db.run('createDeployment', async () => {
      // A retried insert that finds its own row (same content) counts as the insert it was.
      const inserted = await this.#db.query<{ record: DeploymentRecord }>(
        'create_deployment',
        `INSERT INTO ${s}.deployments (flow, version, deployed_at, record) VALUES ($1, $2, $3, $4)
         ON CONFLICT (flow, version) DO NOTHING RETURNING record`,
        [record.flow, record.version, record.deployedAt, JSON.stringify(record)],
      );
      if (inserted.rowCount === 1) return { ok: true, record: inserted.rows[0]!.record };
      const current = await this.#get(record.flow, record.version);
      if (current && JSON.stringify(current) === JSON.stringify(record)) return { ok: true, record: current };
      return { ok: false, reason: 'conflict', current: current! };
    });
  }

  get(flow: string, version: string): Promise<DeploymentRecord | null> {
    return this.#db.run('getDeployment', () => this.#get(flow, version));
  }

  async #get(flow: string, version: string): Promise<DeploymentRecord | null> {
    const result = await this.#db.query<{ record: DeploymentRecord }>(
      'get_deployment',
      `SELECT record FROM ${this.#db.schema}.deployments WHERE flow = $1 AND version = $2`,
      [flow, version],
    );
    return result.rows[0]?.record ?? null;
  }

  list(flow: string | undefined): Promise<DeploymentRecord[]> {
    return this.#db.run('listDeployments', async () => {
      const result = await this.#db.query<{ record: DeploymentRecord }>(
        'list_deployments',
        `SELECT record FROM ${this.#db.schema}.deployments WHERE $1::text IS NULL OR flow = $1
         ORDER BY deployed_at, flow, version`,
        [flow ?? null],
      );
      return result.rows.map((row) => row.record);
    });
  }

  delete(flow: string, version: string): Promise<boolean> {
    return this.#db.run('deleteDeployment', async () => {
      const result = await this.#db.query('delete_deployment', `DELETE FROM ${this.#db.schema}.deployments WHERE flow = $1 AND version = $2`, [flow, version]);
      return (result.rowCount ?? 0) > 0;
    });
  }

  putTag(record: FlowTagRecord): Promise<void> {
    return this.#db.run('putTag', async () => {
      await this.#db.query(
        'put_tag',
        `INSERT INTO ${this.#db.schema}.tags (flow, tag, record) VALUES ($1, $2, $3)
         ON CONFLICT (flow, tag) DO UPDATE SET record = excluded.record`,
        [record.flow, record.tag, JSON.stringify(record)],
      );
    });
  }

  getTag(flow: string, tag: string): Promise<FlowTagRecord | null> {
    return this.#db.run('getTag', async () => {
      const result = await this.#db.query<{ record: FlowTagRecord }>('get_tag', `SELECT record FROM ${this.#db.schema}.tags WHERE flow = $1 AND tag = $2`, [
        flow,
        tag,
      ]);
      return result.rows[0]?.record ?? null;
    });
  }

  listTags(flow: string | undefined): Promise<FlowTagRecord[]> {
    return this.#db.run('listTags', async () => {
      const result = await this.#db.query<{ record: FlowTagRecord }>(
        'list_tags',
        `SELECT record FROM ${this.#db.schema}.tags WHERE $1::text IS NULL OR flow = $1 ORDER BY flow, tag`,
        [flow ?? null],
      );
      return result.rows.map((row) => row.record);
    });
  }

  deleteTag(flow: string, tag: string): Promise<boolean> {
    return this.#db.run('deleteTag', async () => {
      const result = await this.#db.query('delete_tag', `DELETE FROM ${this.#db.schema}.tags WHERE flow = $1 AND tag = $2`, [flow, tag]);
      return (result.rowCount ?? 0) > 0;
    });
  }
}
