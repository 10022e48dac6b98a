/**
 * The holder process of the store conformance suite's lease tests. It opens the store under test the
 * way `shared` said, starts {@link leaseStepsFlow} with a short lease, and holds step `holdAt` open:
 * it prints `holding <execution id>` once that step's side effect ran, and lets the step finish when
 * a line arrives on stdin. It ends by printing `result <status>` or `lost <error name>` (its lease was
 * taken while it held the step).
 *
 * Run as `node lease-worker.js '<LeaseWorkerSpecification as JSON>'`; the suite does that.
 *
 * @module
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRuntime } from '../runtime/runtime.js';
import type { Store } from '../store/store.js';
import { leaseStepsBody, leaseStepsFlow, type LeaseStepsInput } from './lease-steps.js';

/** The command line argument of the lease worker. */
export interface LeaseWorkerSpecification {
  /** A module specifier: an absolute path, a `file:` URL, or a package name. */
  readonly module: string;
  readonly exportName: string;
  readonly argument: unknown;
  readonly input: LeaseStepsInput;
  /** The step held open until a line arrives on stdin. */
  readonly holdAt: number;
  readonly leaseTtlMs: number;
}

async function main(): Promise<void> {
  const specification = JSON.parse(process.argv[2] ?? '') as LeaseWorkerSpecification;
  const specifier = isAbsolute(specification.module) ? pathToFileURL(specification.module).href : specification.module;
  const open = ((await import(specifier)) as Record<string, unknown>)[specification.exportName];
  if (typeof open !== 'function') throw new Error(`${specification.module} has no function export "${specification.exportName}"`);
  const store = (await open(specification.argument)) as Store;
  const runtime = createRuntime({ store, leaseTtlMs: specification.leaseTtlMs });
  const body = leaseStepsBody('holder', async (step, { executionId }) => {
    if (step !== specification.holdAt) return;
    process.stdout.write(`holding ${executionId}\n`);
    await released();
  });
  try {
    const result = await runtime.flow(leaseStepsFlow, body).run(specification.input);
    process.stdout.write(`result ${result.status}\n`);
  } catch (error) {
    process.stdout.write(`lost ${(error as Error).name}\n`);
  }
  await runtime.close();
}

function released(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.once('data', () => {
      process.stdin.pause();
      resolve();
    });
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
