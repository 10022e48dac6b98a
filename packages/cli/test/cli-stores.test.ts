import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRoot, createProject, keel, keelJson, linkStorePackages, removeProjects, writeFiles } from './cli-harness.js';

/** The part of pg's client this test uses. */
interface PostgresClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

// pg comes with @keel/store-postgres; the test only needs it to drop the schema it used.
const pg = createRequire(join(cliRoot, '..', 'store-postgres', 'package.json'))('pg') as {
  Client: new (options: { connectionString: string }) => PostgresClient;
};
const serverUrl = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `keel_cli_${randomBytes(5).toString('hex')}`;
let admin: PostgresClient;

const approvalFlow = `import { checkpoint, flow, wait } from '@keel/core';
import { z } from 'zod';

export const approval = flow('approval', async (input: { item: string }) => {
  const quote = await checkpoint('quote', () => input.item.length * 10, { kind: 'tool' });
  const ok = await wait('approve', { schema: z.boolean(), question: 'Spend ' + quote + '?' });
  return ok ? 'bought ' + input.item + ' for ' + quote : 'not bought';
});
`;

let project: string;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `These tests need the PostgreSQL server at ${serverUrl} (KEEL_TEST_POSTGRES_URL) and connecting failed: ${(error as Error).message}. They fail rather than skip.`,
    );
  }
  project = createProject('link');
  linkStorePackages(project);
  expect((await keel(project, ['init'])).code).toBe(0);
  writeFiles(project, { 'flows/approval.ts': approvalFlow });
});

afterAll(async () => {
  await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin?.end();
  removeProjects();
});

function postgresUrl(): string {
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  return url.href;
}

// One store each, so they run side by side.
describe.concurrent.each([
  ['SQLite', () => 'sqlite:./keel.db'],
  ['PostgreSQL', postgresUrl],
])('keel on %s (store packages resolved from the project)', (_name, store) => {
  it('runs to a wait, takes input, and a worker completes the execution', async () => {
    const run = await keel(project, ['run', 'approval', '--input', '{"item":"lamp"}', '--store', store()]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toContain('Spend 40?');
    const id = /ex_[0-9a-z]{18}/.exec(run.stdout)![0];
    expect((await keel(project, ['executions', 'input', id, '--value', '"yes"', '--store', store()])).code).toBe(2);
    expect((await keel(project, ['executions', 'input', id, '--value', 'true', '--store', store()])).code).toBe(0);
    const worker = await keel(project, ['worker', '--once', '--store', store()]);
    expect(worker.stdout).toContain(`✓ ${id} approval waiting → completed`);
    const shown = await keelJson(project, ['executions', 'show', id, '--store', store()]);
    expect(shown.execution.output).toBe('bought lamp for 40');
    // It is in that store, not in the config's.
    expect((await keel(project, ['executions', 'show', id])).code).toBe(2);
  });
});

describe('keel init --store sqlite:…', () => {
  it('writes the store into the config, keeps the database out of git, and later commands use it without --store', async () => {
    const fresh = createProject('link');
    linkStorePackages(fresh);
    const init = await keel(fresh, ['init', '--store', 'sqlite:./app.db']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).not.toContain('--store');
    expect(readFileSync(join(fresh, 'keel.config.ts'), 'utf8')).toContain('store: "sqlite:./app.db"');
    expect(readFileSync(join(fresh, '.gitignore'), 'utf8')).toBe('app.db*\n');
    const [run, again] = await Promise.all([keel(fresh, ['run', 'hello']), keel(fresh, ['init'])]);
    expect(run.code, run.stderr).toBe(0);
    expect(again.stdout).toContain('opened the store sqlite:');
    expect(existsSync(join(fresh, '.keel'))).toBe(false);
    expect(existsSync(join(fresh, 'app.db'))).toBe(true);
  });
});
