// The PostgreSQL server every bench shares, and throwaway schemas and databases on it.
import pg from 'pg';

/** KEEL_BENCH_POSTGRES_URL, else the test server on loopback. */
export const postgresUrl = process.env.KEEL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The same server's URL with another database name. */
export function databaseUrl(database) {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs one statement on its own connection. */
export async function execute(sql, url = postgresUrl) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A schema name unique to this process and purpose; drop it with {@link dropSchema}. */
export const schemaName = (purpose) => `keel_bench_${purpose}_${process.pid}`;

export const dropSchema = (schema) => execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

/** Drops a database even while connections to it linger (a peer's pool closing late). */
export const dropDatabase = (database) => execute(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, databaseUrl('postgres'));

/** Total bytes (table + TOAST + indexes) of the tables in `schema`. */
export async function schemaBytes(schema, url = postgresUrl) {
  const result = await execute(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = '${schema}' AND c.relkind = 'r'`,
    url,
  );
  return Number(result.rows[0].bytes);
}
