import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
import type { DeploymentRecord, FlowTagRecord, UpdateResult } from '@keel/core/store';

/** The deployments and tags of a SQLite store: statements prepared once per open file. */
export class SqliteDeployments {
  readonly #insert: SqliteStatement;
  readonly #get: SqliteStatement;
  readonly #list: SqliteStatement;
  readonly #listOfFlow: SqliteStatement;
  readonly #delete: SqliteStatement;
  readonly #putTag: SqliteStatement;
  readonly #getTag: SqliteStatement;
  readonly #listTags: SqliteStatement;
  readonly #listTagsOfFlow: SqliteStatement;
  readonly #deleteTag: SqliteStatement;

  constructor(database: SqliteDatabase) {
    const prepare = (text: string) => database.prepare(text);
    this.#insert = prepare(
      `INSERT INTO keel_deployments (flow, version, deployed_at, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (flow, version) DO NOTHING`,
    );
    this.#get = prepare('SELECT record FROM keel_deployments WHERE flow = ? AND version = ?');
    this.#list = prepare('SELECT record FROM keel_deployments ORDER BY deployed_at, flow, version');
    this.#listOfFlow = prepare('SELECT record FROM keel_deployments WHERE flow = ? ORDER BY deployed_at, flow, version');
    this.#delete = prepare('DELETE FROM keel_deployments WHERE flow = ? AND version = ?');
    this.#putTag = prepare(
      `INSERT INTO keel_tags (flow, tag, record) VALUES (?, ?, ?)
       ON CONFLICT (flow, tag) DO UPDATE SET record = excluded.record`,
    );
    this.#getTag = prepare('SELECT record FROM keel_tags WHERE flow = ? AND tag = ?');
    this.#listTags = prepare('SELECT record FROM keel_tags ORDER BY flow, tag');
    this.#listTagsOfFlow = prepare('SELECT record FROM keel_tags WHERE flow = ? ORDER BY flow, tag');
    this.#deleteTag = prepare('DELETE FROM keel_tags WHERE flow = ? AND tag = ?');
  }

  create(record: DeploymentRecord): UpdateResult<DeploymentRecord> {
    const inserted = this.#insert.run(record.flow, record.version, record.deployedAt, JSON.stringify(record));
    if (Number(inserted.changes) === 1) return { ok: true, record: parse(JSON.stringify(record)) };
    return { ok: false, reason: 'conflict', current: this.get(record.flow, record.version)! };
  }

  get(flow: string, version: string): DeploymentRecord | null {
    return rowRecord(this.#get.get(flow, version));
  }

  list(flow: string | undefined): DeploymentRecord[] {
    const rows = flow === undefined ? this.#list.all() : this.#listOfFlow.all(flow);
    return rows.map((row) => rowRecord<DeploymentRecord>(row)!);
  }

  delete(flow: string, version: string): boolean {
    return Number(this.#delete.run(flow, version).changes) > 0;
  }

  putTag(record: FlowTagRecord): void {
    this.#putTag.run(record.flow, record.tag, JSON.stringify(record));
  }

  getTag(flow: string, tag: string): FlowTagRecord | null {
    return rowRecord(this.#getTag.get(flow, tag));
  }

  listTags(flow: string | undefined): FlowTagRecord[] {
    const rows = flow === undefined ? this.#listTags.all() : this.#listTagsOfFlow.all(flow);
    return rows.map((row) => rowRecord<FlowTagRecord>(row)!);
  }

  deleteTag(flow: string, tag: string): boolean {
    return Number(this.#deleteTag.run(flow, tag).changes) > 0;
  }
}

function rowRecord<T>(row: unknown): T | null {
  return row === undefined ? null : parse((row as { record: string }).record);
}

function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}
