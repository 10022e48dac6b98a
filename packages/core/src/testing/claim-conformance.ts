import { expect } from 'vitest';
import type { ClaimFilter, ExecutionRecord, Lease } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { DeclareConformanceTest } from './deployment-conformance.js';

const baseTime = 1_750_000_000_000;
const anyFlowVersion: ClaimFilter = { flows: [{ flow: 'scout', codeVersions: ['*'] }] };

/**
 * The conformance tests of `Store.claimQueued`, for the stores that implement it (it is optional):
 * what a claim changes, what it leaves alone, code versions, and claims racing each other.
 */
export function claimConformanceTests(test: DeclareConformanceTest, store: () => Store): void {
  const claim = (filter: ClaimFilter, owner = 'worker-a'): Promise<ExecutionRecord | null> => store().claimQueued!(filter, lease(owner));

  test('a claim starts the oldest queued execution under the lease, as stored', async () => {
    await store().createExecution(queued('ex-0002', { createdAt: baseTime + 2 }));
    await store().createExecution(queued('ex-0001', { error: { name: 'Error', message: 'an earlier try' }, endedAt: baseTime + 1 }));
    const claimed = await claim(anyFlowVersion);
    expect(claimed).toMatchObject({ id: 'ex-0001', status: 'running', lease: lease('worker-a'), sessions: 1, version: 2 });
    expect(claimed).not.toHaveProperty('error');
    expect(claimed).not.toHaveProperty('endedAt');
    expect(await store().getExecution('ex-0001')).toStrictEqual(claimed);
    expect((await claim(anyFlowVersion))?.id).toBe('ex-0002');
    expect(await claim(anyFlowVersion)).toBeNull();
  });

  test('only queued executions of the filter’s flows are claimed; the rest stay as they are', async () => {
    const others = [
      await store().createExecution(queued('ex-0001', { status: 'running' })),
      await store().createExecution(queued('ex-0002', { status: 'waiting' })),
      await store().createExecution(queued('ex-0003', { status: 'completed' })),
      await store().createExecution(queued('ex-0004', { flow: 'triage' })),
    ];
    expect(await claim(anyFlowVersion)).toBeNull();
    expect(await claim({ flows: [] })).toBeNull();
    for (const record of others) expect(await store().getExecution(record.id)).toStrictEqual(record);
    expect((await claim({ flows: [{ flow: 'triage', codeVersions: ['*'] }] }))?.id).toBe('ex-0004');
  });

  test('code versions: an execution without one, or with one the filter lists, is claimed; another is left', async () => {
    await store().createExecution(queued('ex-0001', { codeVersion: 'v2' }));
    await store().createExecution(queued('ex-0002', { codeVersion: 'v1' }));
    await store().createExecution(queued('ex-0003'));
    const v1 = { flows: [{ flow: 'scout', codeVersions: ['v1'] }] };
    expect((await claim(v1))?.id).toBe('ex-0002');
    expect((await claim(v1))?.id).toBe('ex-0003');
    expect(await claim(v1)).toBeNull();
    expect((await store().getExecution('ex-0001'))?.status).toBe('queued');
    expect((await claim({ flows: [{ flow: 'scout', codeVersions: ['v3', 'v2'] }] }))?.id).toBe('ex-0001');
  });

  test('claims racing each other never take the same execution', async () => {
    for (let index = 1; index <= 6; index++) await store().createExecution(queued(`ex-000${index}`));
    const claims = await Promise.all(Array.from({ length: 12 }, (_, index) => claim(anyFlowVersion, `worker-${index}`)));
    const taken = claims.filter((record): record is ExecutionRecord => record !== null);
    expect(taken.map((record) => record.id).sort()).toEqual(['ex-0001', 'ex-0002', 'ex-0003', 'ex-0004', 'ex-0005', 'ex-0006']);
    for (const record of taken) expect((await store().getExecution(record.id))?.lease?.owner).toBe(record.lease?.owner);
  });
}

function lease(owner: string): Lease {
  return { owner, host: 'host-a', pid: 4242, expiresAt: baseTime + 60_000 };
}

function queued(id: string, overrides: Partial<ExecutionRecord> = {}): Omit<ExecutionRecord, 'version' | 'updatedAt'> {
  return {
    id,
    flow: 'scout',
    status: 'queued',
    input: { hash: 'sha256:' + '0'.repeat(64), size: 2 },
    lease: null,
    sessions: 0,
    createdAt: baseTime,
    ...overrides,
  };
}
