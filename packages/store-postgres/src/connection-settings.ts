import type { Pool, PoolConfig } from 'pg';
import { KeelError } from '@keel/core';

/** The default schema: its tables are `keel.executions`, `keel.checkpoints` … */
export const defaultSchema = 'keel';

/** Where a store's tables live and how to reach them. */
export interface ConnectionSettings {
  /** For new connections (the store's pool, a LISTEN connection). Holds the password: never show it. */
  readonly config: PoolConfig;
  /** The schema that holds the tables. */
  readonly schema: string;
  /** The database and schema without the password, for messages and `Store.location`. */
  readonly location: string;
}

/**
 * Reads a `postgres://` URL: the schema comes from `options.schema`, else from a `schema` query
 * parameter (so `KEEL_STORE=postgres://…/db?schema=keel_staging` selects one in one line), else `keel`.
 */
export function settingsFromUrl(url: string, schema: string | undefined): ConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new KeelError(`"${redact(url)}" is not a PostgreSQL URL; expected postgres://user:password@host:5432/database.`, { cause: error });
  }
  const fromUrl = parsed.searchParams.get('schema') ?? undefined;
  // `schema` is Keel's parameter, not libpq's: pg would pass it on to the server.
  parsed.searchParams.delete('schema');
  const chosen = checkedSchema(schema ?? fromUrl ?? defaultSchema);
  const connectionString = parsed.toString();
  return { config: { connectionString }, schema: chosen, location: describeLocation(connectionString, chosen) };
}

/** The settings of a pool the caller made: new connections (for LISTEN) copy its options. */
export function settingsFromPool(pool: Pool, schema: string | undefined): ConnectionSettings {
  const options = ((pool as unknown as { options?: PoolConfig }).options ?? {}) as PoolConfig;
  const chosen = checkedSchema(schema ?? defaultSchema);
  const target =
    options.connectionString ??
    `postgres://${options.user ?? process.env.PGUSER ?? ''}@${options.host ?? process.env.PGHOST ?? 'localhost'}:${options.port ?? process.env.PGPORT ?? 5432}/${options.database ?? process.env.PGDATABASE ?? ''}`;
  return { config: options, schema: chosen, location: describeLocation(target, chosen) };
}

/** Schema names go into SQL text (they cannot be bound), so only plain lower-case names are taken. */
function checkedSchema(schema: string): string {
  // 56 leaves room for the `_queued` suffix of the NOTIFY channel within PostgreSQL's 63-byte names.
  if (!/^[a-z_][a-z0-9_]{0,55}$/.test(schema)) {
    throw new KeelError(
      `"${schema}" cannot be a Keel schema name: use 1 to 56 lower-case letters, digits or underscores, ` +
        'starting with a letter or an underscore (the default is keel).',
    );
  }
  return schema;
}

function describeLocation(connectionString: string, schema: string): string {
  return `${redact(connectionString)} (schema ${schema})`;
}

/** Hides the password of a URL. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
