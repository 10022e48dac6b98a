import { appendFileSync } from 'node:fs';
import { checkpoint } from '../runtime/checkpoint.js';
import type { CheckpointContext } from '../runtime/types.js';

/** The flow the lease tests run: its name, as both the holder process and the taker register it. */
export const leaseStepsFlow = 'lease-steps';

/** The input of {@link leaseStepsFlow}: the side-effect log shared by every process, and how many steps. */
export interface LeaseStepsInput {
  readonly effects: string;
  readonly steps: number;
}

/**
 * The body of {@link leaseStepsFlow}: `steps` checkpoints, each of which appends `<runner> step_<n>`
 * to the side-effect log (so the test can count who ran what), then awaits `gate` (the holder process
 * holds one step open there). Returns the trail of `<runner>:<n>` of the steps' results, so the output
 * shows which process produced each one.
 */
export function leaseStepsBody(
  runner: string,
  gate: (step: number, context: CheckpointContext) => Promise<void> = () => Promise.resolve(),
): (input: LeaseStepsInput) => Promise<string[]> {
  return async (input) => {
    let trail: string[] = [];
    for (let step = 1; step <= input.steps; step++) {
      const before = trail;
      trail = await checkpoint(`step_${step}`, async (context) => {
        appendFileSync(input.effects, `${runner} step_${step}\n`);
        await gate(step, context);
        return [...before, `${runner}:${step}`];
      });
    }
    return trail;
  };
}
