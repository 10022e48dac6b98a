/**
 * The child process of the store conformance suite's multi-process tests. It opens the store under
 * test the way `shared` said, reports `ready`, waits for `go` on stdin (so that every child starts its
 * writes at the same moment), performs its task, and prints the result as one JSON line.
 *
 * Run as `node conformance-worker.js '<WorkerSpecification as JSON>'`; the suite does that.
 *
 * @module
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExecutionRecord, LogRecord, PayloadRef } from '../store/records.js';
import type { Store } from '../store/store.js';
import { contentHash } from '../serialization/content-hash.js';

/** What the suite asks a child process to do. */
export type WorkerTask =
  /**
   * Add 1 to `metadata.counter` of an execution `times` times, by compare-and-set, retrying on conflict.
   * The execution is read before `go`, so every worker's first write expects the same version and all
   * but one of them must meet a conflict.
   */
  | { readonly kind: 'increment'; readonly executionId: string; readonly times: number }
  /** Answer a wait once. */
  | { readonly kind: 'resolve-wait'; readonly executionId: string; readonly waitId: string; readonly resolvedBy: string }
  /**
   * Write a history: `checkpoints` checkpoints (running, blob, completed, or every other one as one
   * `writeCheckpoints` batch of blob and completed record; `seq` from `firstSeq`) and
   * `ownLines` log lines each into the worker's own execution; and one checkpoint, `sharedLines` log
   * lines and (for the first ten) one artifact each into an execution all workers share.
   */
  | {
      readonly kind: 'write-history';
      readonly worker: number;
      readonly workers: number;
      readonly executionId: string;
      readonly sharedExecutionId: string;
      readonly checkpoints: number;
      readonly firstSeq: number;
      readonly ownLines: number;
      readonly sharedLines: number;
    };

/** The command line argument of the worker. */
export interface WorkerSpecification {
  /** A module specifier: an absolute path, a `file:` URL, or a package name. */
  readonly module: string;
  readonly exportName: string;
  readonly argument: unknown;
  readonly task: WorkerTask;
}

/** What a worker prints when it is done. */
export interface WorkerResult {
  /** `increment`: the conflicts it met; `resolve-wait`: 1 when its answer counted, else 0. */
  readonly count: number;
}

async function main(): Promise<void> {
  const specification = JSON.parse(process.argv[2] ?? '') as WorkerSpecification;
  const specifier = isAbsolute(specification.module) ? pathToFileURL(specification.module).href : specification.module;
  const exports = (await import(specifier)) as Record<string, unknown>;
  const open = exports[specification.exportName];
  if (typeof open !== 'function') {
    throw new Error(`${specification.module} has no function export "${specification.exportName}"`);
  }
  const store = (await open(specification.argument)) as Store;
  const task = specification.task;
  const before = task.kind === 'increment' ? await store.getExecution(task.executionId) : null;
  process.stdout.write('ready\n');
  await go();
  const result = task.kind === 'increment' ? await increment(store, task.executionId, task.times, before) : await perform(store, task);
  await store.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function go(): Promise<void> {
  return new Promise((resolve) => {
    let received = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\n')) {
        process.stdin.pause();
        resolve();
      }
    });
  });
}

async function perform(store: Store, task: Exclude<WorkerTask, { kind: 'increment' }>): Promise<WorkerResult> {
  switch (task.kind) {
    case 'resolve-wait': {
      const result = await store.resolveWait(task.executionId, task.waitId, {
        input: payload(JSON.stringify({ approvedBy: task.resolvedBy })),
        resolvedBy: task.resolvedBy,
        resolvedAt: Date.now(),
      });
      if (!result.ok && result.reason !== 'conflict') throw new Error(`resolveWait: ${result.reason}`);
      return { count: result.ok ? 1 : 0 };
    }
    case 'write-history':
      await writeHistory(store, task);
      return { count: 0 };
  }
}

async function increment(store: Store, executionId: string, times: number, before: ExecutionRecord | null): Promise<WorkerResult> {
  let conflicts = 0;
  let current = before;
  for (let done = 0; done < times;) {
    if (current === null) throw new Error(`execution ${executionId} not found`);
    const counter = Number(current.metadata?.counter ?? 0) + 1;
    const result = await store.updateExecution(executionId, { metadata: { ...current.metadata, counter } }, { version: current.version });
    if (result.ok) {
      done++;
      current = result.record;
    } else if (result.reason === 'conflict') {
      conflicts++;
      current = result.current;
    } else {
      throw new Error(`updateExecution: ${result.reason}`);
    }
  }
  return { count: conflicts };
}

async function writeHistory(store: Store, task: Extract<WorkerTask, { kind: 'write-history' }>): Promise<void> {
  const { worker, workers, executionId, sharedExecutionId, firstSeq, ownLines, sharedLines } = task;
  const sameContent = 'the same content from every worker';
  for (let n = 0; n < task.checkpoints; n++) {
    const output = payload(JSON.stringify({ worker, n }));
    const running = {
      executionId,
      id: `step:${firstSeq + n + 1}`,
      parentId: null,
      name: 'step',
      kind: 'step',
      status: 'running',
      seq: firstSeq + n,
      attempts: 1,
      delivery: 'at-least-once',
      durable: true,
      startedAt: Date.now(),
    } as const;
    const completed = { ...running, status: 'completed', output, endedAt: Date.now() } as const;
    if (n % 2 === 0) {
      await store.putCheckpoint(running);
      await store.putBlob(output.hash, JSON.stringify({ worker, n }));
      if (n % 10 === 0) await store.putBlob(payload(sameContent).hash, sameContent);
      await store.putCheckpoint(completed);
    } else {
      // Every other checkpoint the way a session writes a call: blobs and record in one batch.
      const blobs = [{ hash: output.hash, content: JSON.stringify({ worker, n }) }];
      if (n % 10 === 1) blobs.push({ hash: payload(sameContent).hash, content: sameContent });
      await store.writeCheckpoints({ blobs, checkpoints: [completed] });
    }
    await store.appendLogs([
      ...Array.from({ length: ownLines }, (_, line) => logLine(executionId, worker, n * ownLines + line)),
      ...Array.from({ length: sharedLines }, (_, line) => logLine(sharedExecutionId, worker, n * sharedLines + line)),
    ]);
    const shared = {
      ...running,
      executionId: sharedExecutionId,
      id: `worker-${worker}:${n + 1}`,
      // Interleaved, so that all workers write into the same segments of the shared execution.
      seq: firstSeq + n * workers + worker,
      status: 'completed',
      output,
    } as const;
    if (n % 2 === 0) await store.putCheckpoint(shared);
    else await store.writeCheckpoints({ checkpoints: [shared] });
    if (n < 10) {
      await store.putArtifact({
        executionId: sharedExecutionId,
        name: `worker-${worker}-artifact-${n}`,
        type: 'json',
        payload: output,
        checkpointId: null,
        createdAt: Date.now(),
      });
    }
  }
}

function logLine(executionId: string, worker: number, n: number): LogRecord {
  return {
    executionId,
    checkpointId: null,
    level: 'info',
    message: `worker ${worker} line ${n}`,
    fields: { worker, n },
    session: 1,
    time: Date.now(),
  };
}

function payload(text: string): PayloadRef {
  return { hash: contentHash(text), size: Buffer.byteLength(text) };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
