import { expect } from 'vitest';
import type { DeploymentRecord, FlowTagRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Declares one test of a conformance group (see `runStoreConformance`). */
export type DeclareConformanceTest = (title: string, body: () => Promise<void>) => void;

const baseTime = 1_750_000_000_000;

/**
 * The conformance tests of the Store contract's deployments and tags, declared into a group of the
 * store conformance suite. `store` returns the store of the running test.
 */
export function deploymentConformanceTests(test: DeclareConformanceTest, store: () => Store): void {
  test('an unknown deployment or tag is null, and lists are empty', async () => {
    expect(await store().getDeployment('research', 'v1')).toBeNull();
    expect(await store().getTag('research', 'prod')).toBeNull();
    expect(await store().listDeployments()).toEqual([]);
    expect(await store().listTags()).toEqual([]);
    expect(await store().deleteDeployment('research', 'v1')).toBe(false);
    expect(await store().deleteTag('research', 'prod')).toBe(false);
  });

  test('createDeployment stores the record as given; a second one of the same version conflicts and changes nothing', async () => {
    const first = deployment('research', 'v1', 1, {
      inputSchema: { type: 'object', properties: { topic: { type: 'string' } } },
      deployedBy: 'ci',
      metadata: { commit: 'abc' },
    });
    expect(await store().createDeployment(first)).toStrictEqual({ ok: true, record: first });
    const again = await store().createDeployment({ ...first, digest: 'sha256:other', deployedAt: baseTime + 99 });
    expect(again).toStrictEqual({ ok: false, reason: 'conflict', current: first });
    expect(await store().getDeployment('research', 'v1')).toStrictEqual(first);
    // The same version name under another flow is another deployment.
    const other = deployment('triage', 'v1', 2);
    expect((await store().createDeployment(other)).ok).toBe(true);
    expect(await store().getDeployment('triage', 'v1')).toStrictEqual(other);
  });

  test('listDeployments is oldest first and filters by flow', async () => {
    const records = [deployment('research', 'v2', 3), deployment('triage', 'v1', 2), deployment('research', 'v1', 1)];
    for (const record of records) await store().createDeployment(record);
    expect(await store().listDeployments()).toStrictEqual([records[2], records[1], records[0]]);
    expect(await store().listDeployments({ flow: 'research' })).toStrictEqual([records[2], records[0]]);
    expect(await store().listDeployments({ flow: 'unknown' })).toEqual([]);
  });

  test('deleteDeployment removes one version only', async () => {
    await store().createDeployment(deployment('research', 'v1', 1));
    await store().createDeployment(deployment('research', 'v2', 2));
    expect(await store().deleteDeployment('research', 'v1')).toBe(true);
    expect(await store().getDeployment('research', 'v1')).toBeNull();
    expect((await store().listDeployments()).map((record) => record.version)).toEqual(['v2']);
    expect(await store().deleteDeployment('research', 'v1')).toBe(false);
  });

  test('putTag inserts and moves a tag; listTags orders by flow then tag', async () => {
    const prod = tag('research', 'prod', 'v1', 1);
    await store().putTag(prod);
    expect(await store().getTag('research', 'prod')).toStrictEqual(prod);
    const moved: FlowTagRecord = { ...tag('research', 'prod', 'v2', 2), updatedBy: 'ada' };
    await store().putTag(moved);
    expect(await store().getTag('research', 'prod')).toStrictEqual(moved);
    const canary = tag('research', 'canary', 'v2', 3);
    const other = tag('alpha', 'prod', 'v9', 4);
    await store().putTag(canary);
    await store().putTag(other);
    expect(await store().listTags()).toStrictEqual([other, canary, moved]);
    expect(await store().listTags({ flow: 'research' })).toStrictEqual([canary, moved]);
    expect(await store().deleteTag('research', 'canary')).toBe(true);
    expect(await store().getTag('research', 'canary')).toBeNull();
    expect(await store().listTags({ flow: 'research' })).toStrictEqual([moved]);
  });

  test('returned deployments and tags are copies', async () => {
    const record = deployment('research', 'v1', 1, { inputSchema: { type: 'string' } });
    await store().createDeployment(record);
    await store().putTag(tag('research', 'prod', 'v1', 1));
    const read = (await store().getDeployment('research', 'v1')) as { inputSchema: Record<string, unknown> };
    read.inputSchema.type = 'number';
    ((await store().listTags())[0] as { version: string }).version = 'v9';
    expect(await store().getDeployment('research', 'v1')).toStrictEqual(record);
    expect((await store().getTag('research', 'prod'))?.version).toBe('v1');
  });
}

function deployment(flow: string, version: string, at: number, extra: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return { flow, version, digest: `sha256:${flow}-${version}`, deployedAt: baseTime + at, ...extra };
}

function tag(flow: string, name: string, version: string, at: number): FlowTagRecord {
  return { flow, tag: name, version, updatedAt: baseTime + at };
}
