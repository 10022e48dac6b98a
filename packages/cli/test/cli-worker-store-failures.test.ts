import { afterAll, describe, expect, it } from 'vitest';
import { createProject, jsonLines, keel, keelJson, killChildren, linkStorePackages, removeProjects, startKeel, until } from './cli-harness.js';
import { createTestSchema, type TestSchema } from './postgres-schema.js';
import { startTcpProxy, type TcpProxy } from '@keel/testkit';

const children: ReturnType<typeof startKeel>[] = [];
const schemas: TestSchema[] = [];
const proxies: TcpProxy[] = [];

afterAll(async () => {
  // Not after each test: the tests run side by side, and another's worker would be killed mid-test.
  await killChildren(children);
  for (const proxy of proxies.splice(0)) await proxy.close();
  for (const schema of schemas.splice(0)) await schema.drop();
  removeProjects();
});

/** A project made by `keel init`, with the store packages installed or not. */
async function initProject(storePackages: boolean): Promise<string> {
  const project = createProject('link');
  if (storePackages) linkStorePackages(project);
  expect((await keel(project, ['init'])).code).toBe(0);
  return project;
}

function startWorker(project: string, store: string, options: string[] = []) {
  const child = startKeel(project, ['worker', '--json', '--poll', '100', '--store', store, ...options]);
  children.push(child);
  return child;
}

/**
 * A port nothing listens on. Not one taken from the system and released: the proxy of another test
 * could be given it next. Port 1 (tcpmux) is served by nothing on the machines these tests run on.
 */
const closedStore = 'postgres://postgres@127.0.0.1:1/test';

const eventsOf = (child: ReturnType<typeof startWorker>, name: string) => jsonLines(child).filter((event) => event.event === name);

// Each test has its own project and store; they wait on child processes (PostgreSQL's store retries a
// lost connection for 15 s before a call fails), so they run side by side, with room for a busy machine.
describe.concurrent('keel worker on a store that cannot be opened', () => {
  it('stops at once with the error and exit 1 when the project lacks @keel/store-postgres', async () => {
    const project = await initProject(false);
    const result = await keel(project, ['worker', '--store', 'postgres://postgres@127.0.0.1:5432/test', '--poll', '100']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('needs the package @keel/store-postgres');
    expect(result.stderr.match(/needs the package/g)).toHaveLength(1);
    expect(result.stdout).not.toContain('nothing to run');
  });

  it('stops at once with the error and exit 1 on a malformed or unknown store URL', async () => {
    const project = await initProject(true);
    const malformed = await keel(project, ['worker', '--store', 'postgres://user@:not-a-port/db']);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('is not a PostgreSQL URL');
    const unknown = await keel(project, ['worker', '--store', 'mysql://user@127.0.0.1/db']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Keel does not know the store URL "mysql://user@127.0.0.1/db"');
  });
});

describe.concurrent('keel worker on a PostgreSQL store that does not answer', () => {
  it('reports the store unreachable on a closed port, keeps trying with backoff, and says so when stopped', async () => {
    const project = await initProject(true);
    const child = startWorker(project, closedStore);
    await until('two failed tries to reach the store', () => eventsOf(child, 'store-unreachable').length >= 2, 120_000);
    const [first, second] = eventsOf(child, 'store-unreachable');
    expect(first).toMatchObject({ attempts: 1, retryInMs: 100 });
    expect(first!.lastError).toContain('ECONNREFUSED');
    expect(second).toMatchObject({ attempts: 2, retryInMs: 200, since: first!.since });
    child.kill('SIGTERM');
    const exited = await child.exited;
    expect(exited.code).toBe(0);
    const [stopped] = eventsOf(child, 'stopped');
    expect(stopped!.health).toMatchObject({ store: 'unreachable', since: first!.since });
    expect(stopped!.health.lastError).toContain('ECONNREFUSED');
  }, 180_000);

  it('with --once, exits 1 saying the store is unreachable rather than that nothing was owed', async () => {
    const project = await initProject(true);
    const result = await keel(project, ['worker', '--once', '--store', closedStore]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('store unreachable: ');
    expect(result.stdout).toContain('not trying again (--once)');
    expect(result.stdout).toMatch(/worker stopped: ran nothing; the store is unreachable \(since \d\d:\d\d:\d\d UTC\)/);
    expect(result.stdout).not.toContain('nothing to run');
  }, 90_000);

  it('rides out a real outage: reports it, runs what was queued meanwhile once the database is back', async () => {
    const project = await initProject(true);
    const schema = await createTestSchema();
    schemas.push(schema);
    const direct = new URL(schema.url);
    const proxy = await startTcpProxy({ target: { host: direct.hostname, port: Number(direct.port || 5432) } });
    proxies.push(proxy);
    const throughProxy = new URL(schema.url);
    throughProxy.port = String(proxy.port);

    const child = startWorker(project, throughProxy.href, ['--metrics-port', '0']);
    await until('the worker to listen for notifications', () => eventsOf(child, 'listening').length > 0, 60_000);
    const health = async () =>
      (await fetch(`${eventsOf(child, 'metrics')[0]!.url}/healthz`)).json() as Promise<{ store: { store: string; lastError: string | null } }>;
    expect((await health()).store).toMatchObject({ store: 'reachable', lastError: null });
    const before = await keelJson(project, ['run', 'hello', '--input', '{"name":"Ada"}', '--queue', '--store', schema.url]);
    await until(
      'the worker to run the first execution',
      () => jsonLines(child).some((event) => event.executionId === before.executionId && event.status === 'completed'),
      60_000,
    );

    proxy.cut();
    await until('the worker to report the outage', () => eventsOf(child, 'store-unreachable').length > 0, 60_000);
    expect(eventsOf(child, 'store-unreachable')[0]!.lastError).toMatch(/did not answer/);
    expect((await health()).store).toMatchObject({ store: 'unreachable', lastError: expect.stringMatching(/did not answer/) });
    const during = await keelJson(project, ['run', 'hello', '--input', '{"name":"Grace"}', '--queue', '--store', schema.url]);

    proxy.restore();
    await until('the worker to see the store again', () => eventsOf(child, 'store-reachable').length > 0, 60_000);
    await until(
      'the worker to run what was queued during the outage',
      () => jsonLines(child).some((event) => event.executionId === during.executionId && event.status === 'completed'),
      60_000,
    );
    const shown = await keelJson(project, ['executions', 'show', during.executionId, '--store', schema.url]);
    expect(shown.execution.output).toMatchObject({ greeting: 'Hello, Grace!' });
    expect(eventsOf(child, 'store-reachable')[0]!.unreachableForMs).toBeGreaterThan(0);

    child.kill('SIGTERM');
    const exited = await child.exited;
    expect(exited.code).toBe(0);
    expect(eventsOf(child, 'stopped')[0]!.health).toMatchObject({ store: 'reachable', lastError: null });
  }, 240_000);
});
