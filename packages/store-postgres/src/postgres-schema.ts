import type { Pool } from 'pg';
import { StoreSchemaOutdatedError, StoreSchemaTooNewError } from '@keel/core/store';
import { inPooledTransaction } from './pooled-transaction.js';

/** One step of the schema's history: the statements that take it from `version - 1` to `version`. */
interface Migration {
  readonly version: number;
  /** The statements, given the quoted schema name (`"keel"`). */
  readonly statements: (schema: string) => readonly string[];
}

/**
 * The schema's history. A new Keel that needs another table or index appends a migration here and
 * never edits a published one: a database migrated by any older Keel is brought up to date step by step.
 */
const migrations: readonly Migration[] = [
  {
    version: 1,
    statements: (s) => [
      // The record itself is JSON (`json`, not `jsonb`: it keeps the text exactly, `\u0000` included);
      // the columns beside it are the ones queries filter and sort by, kept in step on every write.
      // Ids compare byte-wise (COLLATE "C"), as they do in JavaScript: ids sort by creation time.
      `CREATE TABLE ${s}.executions (
        id text COLLATE "C" PRIMARY KEY,
        flow text NOT NULL,
        status text NOT NULL,
        version integer NOT NULL,
        lease_owner text,
        lease_expires_at bigint,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        last_write uuid,
        record json NOT NULL
      )`,
      `COMMENT ON COLUMN ${s}.executions.last_write IS
        'The id of the write that set this row, so a write retried after a lost connection can tell that it already happened.'`,
      // Listing by status (what recovery and workers ask) and by flow, newest first by id.
      `CREATE INDEX executions_by_status ON ${s}.executions (status, id)`,
      `CREATE INDEX executions_by_flow ON ${s}.executions (flow, id)`,
      `CREATE TABLE ${s}.checkpoints (
        execution_id text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        seq integer NOT NULL,
        parent_id text,
        name text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        record json NOT NULL,
        PRIMARY KEY (execution_id, id)
      )`,
      `CREATE INDEX checkpoints_by_seq ON ${s}.checkpoints (execution_id, seq)`,
      // `position` keeps creation order: an upsert of an existing wait or artifact keeps its row.
      `CREATE TABLE ${s}.waits (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        execution_id text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        status text NOT NULL,
        record json NOT NULL,
        UNIQUE (execution_id, id)
      )`,
      `CREATE TABLE ${s}.artifacts (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        execution_id text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        record json NOT NULL,
        UNIQUE (execution_id, name)
      )`,
      `CREATE TABLE ${s}.logs (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        execution_id text COLLATE "C" NOT NULL,
        batch uuid,
        record json NOT NULL
      )`,
      `CREATE INDEX logs_by_execution ON ${s}.logs (execution_id, position)`,
      // Payloads, stored once per content hash however many records refer to them (TOAST compresses
      // the large ones).
      `CREATE TABLE ${s}.blobs (
        hash text COLLATE "C" PRIMARY KEY,
        size integer NOT NULL,
        content text NOT NULL
      )`,
      // Wake-ups for workers (see listenForWork). Triggers rather than code, so a row written by any
      // client (an older Keel, a script, psql) wakes them too. NOTIFY is sent when the writing
      // transaction commits, never for a write that rolled back. The channel carries the schema's name,
      // so deployments in separate schemas of one database do not wake each other.
      `CREATE FUNCTION ${s}.notify_queued() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify(TG_TABLE_SCHEMA || '_queued', NEW.id);
         RETURN NULL;
       END
       $$`,
      `CREATE TRIGGER executions_notify_queued_insert AFTER INSERT ON ${s}.executions
       FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION ${s}.notify_queued()`,
      `CREATE TRIGGER executions_notify_queued_update AFTER UPDATE OF status ON ${s}.executions
       FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status <> 'queued') EXECUTE FUNCTION ${s}.notify_queued()`,
      `CREATE FUNCTION ${s}.notify_input() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify(TG_TABLE_SCHEMA || '_input', NEW.execution_id);
         RETURN NULL;
       END
       $$`,
      `CREATE TRIGGER waits_notify_input AFTER UPDATE OF status ON ${s}.waits
       FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status = 'resolved') EXECUTE FUNCTION ${s}.notify_input()`,
    ],
  },
  {
    version: 2,
    statements: (s) => [
      // Deployed flow versions (immutable) and the tags that point at them: few rows, read by key.
      `CREATE TABLE ${s}.deployments (
        flow text COLLATE "C" NOT NULL,
        version text COLLATE "C" NOT NULL,
        deployed_at bigint NOT NULL,
        record json NOT NULL,
        PRIMARY KEY (flow, version)
      )`,
      `CREATE TABLE ${s}.tags (
        flow text COLLATE "C" NOT NULL,
        tag text COLLATE "C" NOT NULL,
        record json NOT NULL,
        PRIMARY KEY (flow, tag)
      )`,
    ],
  },
];

/** The newest schema version this package knows; a database with a higher one was migrated by a newer Keel. */
export const postgresSchemaVersion: number = migrations.at(-1)?.version ?? 0;

/**
 * The first key of the advisory lock that serializes migrations (`keel` in ASCII); the second is the
 * schema name's hash, so migrating one schema does not hold up another.
 */
const lockClass = 0x6b65656c;

/** What {@link migratePostgresSchema} needs to know besides the pool. */
export interface SchemaContext {
  /** The schema name (already checked to be a plain identifier). */
  readonly schema: string;
  /** The database and schema, for messages. */
  readonly location: string;
  /** Who migrates, recorded with each applied version (`@keel/store-postgres 0.1.0`). */
  readonly appliedBy: string;
  /** Whether a missing or older schema may be created or migrated; when not, opening it fails. */
  readonly migrate: boolean;
}

/**
 * Brings the schema to {@link postgresSchemaVersion}, or fails when it cannot.
 *
 * `<schema>.keel_schema` records every applied version (when, and by which package). Migration runs in
 * one transaction holding a transaction-level advisory lock: when several workers start on a new
 * database at once, one migrates and the others wait for it, then find the schema current. DDL is
 * transactional in PostgreSQL, so a failed migration leaves nothing half done.
 */
export async function migratePostgresSchema(pool: Pool, context: SchemaContext): Promise<void> {
  const s = `"${context.schema}"`;
  // Most opens find the schema current; checking without the lock keeps them from queueing (and lets
  // a role without DDL rights use a schema someone else migrated).
  const found = await readSchemaVersion(pool, s);
  if (found === postgresSchemaVersion) return;
  checkVersion(found ?? 0, context);
  await inPooledTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lockClass, context.schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.keel_schema (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now(),
      applied_by text NOT NULL
    )`);
    const locked = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.keel_schema`);
    const current = locked.rows[0]?.version ?? 0;
    checkVersion(current, context);
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(s)) await client.query(statement);
      await client.query(`INSERT INTO ${s}.keel_schema (version, applied_by) VALUES ($1, $2)`, [migration.version, context.appliedBy]);
    }
  });
}

/** Throws when `found` is newer than this code, or older and migration is not allowed. */
function checkVersion(found: number, context: SchemaContext): void {
  if (found > postgresSchemaVersion) {
    throw new StoreSchemaTooNewError({
      store: 'postgres',
      location: context.location,
      version: found,
      supportedVersion: postgresSchemaVersion,
      recordedIn: `${context.schema}.keel_schema`,
    });
  }
  if (found < postgresSchemaVersion && !context.migrate) {
    throw new StoreSchemaOutdatedError({
      store: 'postgres',
      location: context.location,
      version: found,
      supportedVersion: postgresSchemaVersion,
    });
  }
}

/** The highest recorded version, or `null` when the schema or its `keel_schema` table does not exist. */
async function readSchemaVersion(pool: Pool, s: string): Promise<number | null> {
  try {
    const result = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.keel_schema`);
    return result.rows[0]?.version ?? 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // undefined_table, invalid_schema_name: a database Keel has not used yet.
    if (code === '42P01' || code === '3F000') return null;
    throw error;
  }
}
