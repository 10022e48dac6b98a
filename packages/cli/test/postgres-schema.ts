import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cliRoot } from './cli-harness.js';

/** The part of pg's client the tests use. */
interface PostgresClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

// pg comes with @keel/store-postgres; the tests only need it to drop the schemas they used.
const pg = createRequire(join(cliRoot, '..', 'store-postgres', 'package.json'))('pg') as {
  Client: new (options: { connectionString: string }) => PostgresClient;
};
const serverUrl = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema on the test PostgreSQL server: its store URL, and a way to drop it. */
export interface TestSchema {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Connects to the test server (failing, never skipping, when it is unreachable) and names a fresh
 * schema for one test file; store-postgres creates it on first use.
 */
export async function createTestSchema(): Promise<TestSchema> {
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `These tests need the PostgreSQL server at ${serverUrl} (KEEL_TEST_POSTGRES_URL) and connecting failed: ${(error as Error).message}. They fail rather than skip.`,
    );
  }
  const schema = `keel_test_${randomBytes(5).toString('hex')}`;
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.href,
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await admin.end().catch(() => {});
    },
  };
}
