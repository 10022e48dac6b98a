import { appendFileSync } from 'node:fs';

/** What a flow run or a recovered execution ended with (the part {@link runCheckpointSteps} prints). */
interface StepsResult {
  readonly status: string;
  readonly output?: unknown;
}

/** The part of a Keel `Runtime` the steps flow uses (structural: the kit does not depend on `@keel/core`). */
export interface CheckpointStepsRuntime {
  /** Registers the flow. */
  flow(name: string, fn: (seed: number) => Promise<number>): { run(input: number): Promise<StepsResult> };
  /** Recovers what is owed (here: the execution the killed process left running). */
  readonly executions: { recover(): Promise<readonly { readonly result?: StepsResult }[]> };
  /** Closes the runtime and its store. */
  close(): Promise<void>;
}

/** Options of {@link runCheckpointSteps}. */
export interface CheckpointStepsOptions {
  /** The runtime, on the store under test. */
  readonly runtime: CheckpointStepsRuntime;
  /** Keel's `checkpoint` (from the same `@keel/core` as the runtime). */
  readonly checkpoint: <Output>(name: string, fn: () => Promise<Output>) => Promise<Output>;
  /** How many checkpoints the flow makes (`step_1` … `step_n`). */
  readonly steps: number;
  /** The effects file: each checkpoint appends its name there, once per time it runs. */
  readonly effects: string;
  /** `run` starts the flow at seed 0; `recover` recovers the execution a killed process left. */
  readonly mode: string;
}

/**
 * The body of a crash-test child process: a flow of `steps` checkpoints, checkpoint k adding k² to the
 * total. Each checkpoint appends `step_k` to the effects file (its side effect) and the process prints
 * `done k` once its record is stored, so the parent can SIGKILL it right after checkpoint k
 * (`crashAfterCalls` with `killAt: { lines: /^done k$/ }`) and count from the effects file what ran
 * twice. Prints `result {status, output}` (`run`) or `result {recovered, status, output}` (`recover`),
 * then closes the runtime.
 *
 * @example
 * // fixtures/five-checkpoints.mjs, run as: node five-checkpoints.mjs <database> <effects file> run|recover
 * const [database, effects, mode] = process.argv.slice(2);
 * await runCheckpointSteps({ runtime: createRuntime({ store: sqliteStore(database) }), checkpoint, steps: 5, effects, mode });
 */
export async function runCheckpointSteps(options: CheckpointStepsOptions): Promise<void> {
  const { runtime, checkpoint, steps, effects } = options;
  const flow = runtime.flow('checkpoint-steps', async (seed) => {
    let total = seed;
    for (let step = 1; step <= steps; step++) {
      total = await checkpoint(`step_${step}`, async () => {
        appendFileSync(effects, `step_${step}\n`);
        // Long enough for the parent to kill the process between two checkpoints.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return total + step * step;
      });
      process.stdout.write(`done ${step}\n`);
    }
    return total;
  });

  if (options.mode === 'run') {
    const result = await flow.run(0);
    process.stdout.write(`result ${JSON.stringify({ status: result.status, output: result.output })}\n`);
  } else {
    const reports = await runtime.executions.recover();
    const result = reports[0]?.result;
    process.stdout.write(`result ${JSON.stringify({ recovered: reports.length, status: result?.status, output: result?.output })}\n`);
  }
  await runtime.close();
}

/** How many times each checkpoint's side effect ran, from the effects file of {@link runCheckpointSteps}. */
export function effectRuns(effectsFileText: string, step: number): number {
  return effectsFileText.split('\n').filter((line) => line === `step_${step}`).length;
}
