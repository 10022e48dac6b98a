import { checkpoint, flow } from '@keel/core';

// The scale-out bench's flow: four durable steps, each doing 5 ms of work (a sleep, standing for a
// call that waits on the network), so an execution is 20 ms of its own work.
export const steps = flow(
  'steps',
  async (input: { workMs: number }) => {
    for (let step = 1; step <= 4; step++) {
      await checkpoint('step', async () => {
        await new Promise((resolve) => setTimeout(resolve, input.workMs));
        return { step, note: 'x'.repeat(200) };
      });
    }
    return 'done';
  },
  { version: 'bench-v1' },
);
