import { afterEach, describe, expect, it } from 'vitest';
import { checkpoint, createRuntime, memoryStore, type Runtime } from '@keel/core';
import { startServer, storeReadiness, type KeelServer } from '@keel/server';
import { postgresStore } from '@keel/store-postgres';
import { prometheusSamples, sampleValue } from '@keel/testkit';

const servers: KeelServer[] = [];
const runtimes: Runtime[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const runtime of runtimes.splice(0)) await runtime.close();
});

async function serve(runtime: Runtime, token: string | null): Promise<KeelServer> {
  runtimes.push(runtime);
  const server = await startServer({ runtime, port: 0, token });
  servers.push(server);
  return server;
}

describe('keel serve: /metrics, /healthz, /readyz', () => {
  it('answers health and readiness without the token, and /metrics only with it', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    runtime.flow('greet', async (name: string) => checkpoint('hello', () => `hello ${name}`));
    const server = await serve(runtime, 'secret-token');
    await runtime.start('greet', 'Ada');
    await runtime.start('greet', 'Grace');
    await runtime.run('greet', 'Edsger');

    const health = await fetch(`${server.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);

    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer secret-token' } });
    expect(scraped.status).toBe(200);
    const samples = prometheusSamples(await scraped.text());
    expect(sampleValue(samples, 'keel_queue_depth', { flow: 'greet' })).toBe(2);
    expect(sampleValue(samples, 'keel_queue_age', { flow: 'greet' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'keel_executions', { flow: 'greet', status: 'queued' })).toBe(2);
    expect(sampleValue(samples, 'keel_executions', { flow: 'greet', status: 'completed' })).toBe(1);
    // The run in this process recorded into the meter provider the server registered.
    expect(sampleValue(samples, 'keel_sessions_total', { flow: 'greet', operation: 'run', status: 'completed' })).toBe(1);
    expect(sampleValue(samples, 'keel_checkpoints_total', { kind: 'step', outcome: 'executed' })).toBe(1);
  });

  it('/readyz is 503 with the reason while the store cannot be reached', async () => {
    // Nothing listens on port 1: the connection is refused, as with a database that is down.
    const runtime = createRuntime({ store: postgresStore('postgres://postgres@127.0.0.1:1/keel') });
    const server = await serve(runtime, null);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; reason: string };
    expect(body.status).toBe('unavailable');
    expect(body.reason).toMatch(/did not answer within 2000 ms|ECONNREFUSED/);
  });
});

describe('storeReadiness', () => {
  it('is ready for a store that answers, and not ready, saying why, for one that does not answer in time', async () => {
    expect(await storeReadiness(memoryStore())).toEqual({ ready: true });
    const unreachable = postgresStore('postgres://postgres@127.0.0.1:1/keel');
    expect(await storeReadiness(unreachable, { timeoutMs: 200 })).toEqual({ ready: false, reason: 'the store did not answer within 200 ms' });
    await unreachable.close();
  });
});
