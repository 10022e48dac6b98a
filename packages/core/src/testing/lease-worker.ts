/**
 * The holder process of the store conformance suite's lease tests. It opens the store under test the
 * way `shared` said, starts {@link leaseStepsFlow} with a short lease, and holds step `holdAt` open:
 * it prints `holding <execution id>` once that step's side effect ran, and lets the step finish when
 * a line arrives on stdin. It ends by printing `result <status>` or `lost <error name>` (its lease was
 * taken while it held the step).
 *
 * With `freezeInWriteOf`, it instead stops itself (`SIGSTOP`) inside the store's write of that step's
 * completed record, after every check the session makes before writing: it prints
 * `writing <execution id>` first, and once continued (`SIGCONT`) prints `refused <error name>` if the
 * store refused the write. This is how the suite shows that the store's own fence check is what stops
 * a holder that raced past the session's.
 *
 * Run as `node lease-worker.js '<LeaseWorkerSpecification as JSON>'`; the suite does that.
 *
 * @module
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRuntime } from '../runtime/runtime.js';
import type { CheckpointRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { leaseStepsBody, leaseStepsFlow, type LeaseStepsInput } from './lease-steps.js';

/** The command line argument of the lease worker. */
export interface LeaseWorkerSpecification {
  /** A module specifier: an absolute path, a `file:` URL, or a package name. */
  readonly module: string;
  readonly exportName: string;
  readonly argument: unknown;
  readonly input: LeaseStepsInput;
  /** The step held open until a line arrives on stdin (none: `0`). */
  readonly holdAt: number;
  /** The step in whose completed record's store write the holder stops itself (see the module's comment). */
  readonly freezeInWriteOf?: number;
  readonly leaseTtlMs: number;
}

async function main(): Promise<void> {
  const specification = JSON.parse(process.argv[2] ?? '') as LeaseWorkerSpecification;
  const specifier = isAbsolute(specification.module) ? pathToFileURL(specification.module).href : specification.module;
  const open = ((await import(specifier)) as Record<string, unknown>)[specification.exportName];
  if (typeof open !== 'function') throw new Error(`${specification.module} has no function export "${specification.exportName}"`);
  const opened = (await open(specification.argument)) as Store;
  const store = specification.freezeInWriteOf === undefined ? opened : freezingInWrite(opened, `step_${specification.freezeInWriteOf}:1`);
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

/**
 * `store`, but its write of checkpoint `checkpointId` as completed (by `putCheckpoint` or in a
 * `writeCheckpoints` batch) stops this process first (see the module's comment).
 */
function freezingInWrite(store: Store, checkpointId: string): Store {
  const frozen = async <T>(executionId: string, write: () => Promise<T>): Promise<T> => {
    process.stdout.write(`writing ${executionId}\n`);
    process.kill(process.pid, 'SIGSTOP');
    try {
      return await write();
    } catch (error) {
      process.stdout.write(`refused ${(error as Error).name}\n`);
      throw error;
    }
  };
  const isFrozen = (record: CheckpointRecord): boolean => record.id === checkpointId && record.status === 'completed';
  const putCheckpoint: Store['putCheckpoint'] = (record, fence) =>
    isFrozen(record) ? frozen(record.executionId, () => store.putCheckpoint(record, fence)) : store.putCheckpoint(record, fence);
  const writeCheckpoints: Store['writeCheckpoints'] = (write, fence) => {
    const record = write.checkpoints.find(isFrozen);
    return record ? frozen(record.executionId, () => store.writeCheckpoints(write, fence)) : store.writeCheckpoints(write, fence);
  };
  return new Proxy(store, {
    get: (target, property) => {
      if (property === 'putCheckpoint') return putCheckpoint;
      if (property === 'writeCheckpoints') return writeCheckpoints;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
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
