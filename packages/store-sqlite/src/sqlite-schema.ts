import type { SqliteDatabase } from './sqlite-driver.js';
import { StoreSchemaOutdatedError, StoreSchemaTooNewError } from '@keel/core/store';

/** One step of the schema's history: the statements that take it from `version - 1` to `version`. */
interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

/**
 * The schema's history. A new Keel that needs another table or index appends a migration here and
 * never edits a published one: a file written by any older Keel is brought up to date step by step.
 */
const migrations: readonly Migration[] = [
  {
    version: 1,
    statements: [
      // The record itself is JSON (so it comes back exactly as it was put); the columns beside it are
      // the ones queries filter and sort by, kept in step with the JSON on every write.
      `CREATE TABLE keel_executions (
        id TEXT PRIMARY KEY,
        flow TEXT NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        record TEXT NOT NULL
      )`,
      // Listing by status (what recovery and workers ask) and by flow, newest first by id.
      'CREATE INDEX keel_executions_by_status ON keel_executions (status, id)',
      'CREATE INDEX keel_executions_by_flow ON keel_executions (flow, id)',
      `CREATE TABLE keel_checkpoints (
        execution_id TEXT NOT NULL,
        id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        parent_id TEXT,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (execution_id, id)
      ) WITHOUT ROWID`,
      'CREATE INDEX keel_checkpoints_by_seq ON keel_checkpoints (execution_id, seq)',
      // `position` keeps creation order: an upsert of an existing wait or artifact keeps its row.
      `CREATE TABLE keel_waits (
        position INTEGER PRIMARY KEY,
        execution_id TEXT NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (execution_id, id)
      )`,
      `CREATE TABLE keel_artifacts (
        position INTEGER PRIMARY KEY,
        execution_id TEXT NOT NULL,
        name TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (execution_id, name)
      )`,
      `CREATE TABLE keel_logs (
        position INTEGER PRIMARY KEY,
        execution_id TEXT NOT NULL,
        record TEXT NOT NULL
      )`,
      'CREATE INDEX keel_logs_by_execution ON keel_logs (execution_id, position)',
      // Payloads, stored once per content hash however many records refer to them.
      `CREATE TABLE keel_blobs (
        hash TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        content TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    statements: [
      // Deployed flow versions (immutable) and the tags that point at them: few rows, read by key.
      `CREATE TABLE keel_deployments (
        flow TEXT NOT NULL,
        version TEXT NOT NULL,
        deployed_at INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (flow, version)
      ) WITHOUT ROWID`,
      `CREATE TABLE keel_tags (
        flow TEXT NOT NULL,
        tag TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (flow, tag)
      ) WITHOUT ROWID`,
    ],
  },
  {
    version: 3,
    statements: [
      // The checkpoint table rebuilt for the write path, which every durable step takes:
      // - No seq index: it was one more B-tree page written to the WAL per step. Listing an execution's
      //   checkpoints reads its rows by (execution_id, id) and sorts them by seq, which a resume does once.
      // - A rowid table with a unique key instead of WITHOUT ROWID: its ~400-byte rows are appended in
      //   insertion order, and only the small key entries go in id order ("step:10" before "step:9"),
      //   where whole rows in id order split their pages often. About 0.005-0.008 ms less per step.
      `CREATE TABLE keel_checkpoints_v3 (
        execution_id TEXT NOT NULL,
        id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        parent_id TEXT,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (execution_id, id)
      )`,
      `INSERT INTO keel_checkpoints_v3 (execution_id, id, seq, parent_id, name, kind, status, record)
       SELECT execution_id, id, seq, parent_id, name, kind, status, record FROM keel_checkpoints ORDER BY execution_id, seq, id`,
      'DROP TABLE keel_checkpoints',
      'ALTER TABLE keel_checkpoints_v3 RENAME TO keel_checkpoints',
    ],
  },
];

/** The newest schema version this package knows; a file with a higher one was written by a newer Keel. */
export const sqliteSchemaVersion: number = migrations.at(-1)?.version ?? 0;

/** What {@link migrateSqliteSchema} needs to know besides the database. */
export interface SchemaContext {
  /** The database file, for messages. */
  readonly location: string;
  /** Who migrates, recorded with each applied version (`@keel/store-sqlite 0.1.0`). */
  readonly appliedBy: string;
  /** Whether an older schema may be migrated; when not, opening it fails. */
  readonly migrate: boolean;
}

/**
 * Brings the database's schema to {@link sqliteSchemaVersion}, or fails when it cannot.
 *
 * `keel_schema` records every applied version (when, and by which package). Migration runs in one
 * `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock before it reads the version: when
 * several processes open a new file at once, one migrates and the others wait (busy timeout), then
 * find the schema current. A failed migration rolls back as a whole.
 */
export function migrateSqliteSchema(database: SqliteDatabase, context: SchemaContext): void {
  // Most opens find the schema current; checking without the write lock keeps them from queueing.
  if (readSchemaVersion(database) === sqliteSchemaVersion) return;
  database
    .transaction(() => {
      database.exec(`CREATE TABLE IF NOT EXISTS keel_schema (
        version INTEGER PRIMARY KEY,
        applied_at INTEGER NOT NULL,
        applied_by TEXT NOT NULL
      )`);
      const found = readSchemaVersion(database) ?? 0;
      if (found > sqliteSchemaVersion) {
        throw new StoreSchemaTooNewError({
          store: 'sqlite',
          location: context.location,
          version: found,
          supportedVersion: sqliteSchemaVersion,
          recordedIn: 'the keel_schema table',
        });
      }
      if (found === sqliteSchemaVersion) return;
      if (!context.migrate) {
        throw new StoreSchemaOutdatedError({
          store: 'sqlite',
          location: context.location,
          version: found,
          supportedVersion: sqliteSchemaVersion,
        });
      }
      const record = database.prepare('INSERT INTO keel_schema (version, applied_at, applied_by) VALUES (?, ?, ?)');
      for (const migration of migrations) {
        if (migration.version <= found) continue;
        for (const statement of migration.statements) database.exec(statement);
        record.run(migration.version, Date.now(), context.appliedBy);
      }
    })
    .immediate();
}

/** The highest version in `keel_schema`, or `null` when the table does not exist (a new file). */
export function readSchemaVersion(database: SqliteDatabase): number | null {
  const table = database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keel_schema'").get();
  if (table === undefined) return null;
  const row = database.prepare('SELECT MAX(version) AS version FROM keel_schema').get() as { version: number | null };
  return row.version ?? 0;
}
