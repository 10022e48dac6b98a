import { expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, memoryStore, toPendingWait, wait } from '../src/index.js';

it('toPendingWait reports a stored wait as run() reported it', async () => {
  const runtime = createRuntime({ store: memoryStore() });
  const flow = runtime.flow('ask', async () => wait('approve', { schema: z.boolean(), question: 'Go?', metadata: { draft: 1 }, timeout: 60_000 }));
  const result = await flow.run(undefined);
  const stored = (await runtime.executions.get(result.executionId)).waits.filter((record) => record.status === 'pending');
  expect(stored.map(toPendingWait)).toEqual(result.waits);
  expect(result.waits?.[0]).toMatchObject({ name: 'approve', question: 'Go?', metadata: { draft: 1 }, expiresAt: expect.any(Number) });
});
