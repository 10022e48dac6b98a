import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createRuntime } from '../runtime/runtime.js';
import type { Store } from '../store/store.js';
import { compiledWorkerFile } from './compiled-worker-file.js';
import type { LeaseWorkerSpecification } from './lease-worker.js';
import { leaseStepsBody, leaseStepsFlow, type LeaseStepsInput } from './lease-steps.js';

/** How another process opens the store under test (the suite's `shared` option, applied). */
export interface SharedStoreSpecification {
  readonly module: string;
  readonly exportName: string;
  readonly argument: unknown;
}

type DeclareTest = (title: string, body: () => Promise<void>, unavailable?: string) => void;

/**
 * Declares the lease tests of the conformance suite: a real runtime in a child process holds an
 * execution while this process contends for it through `store()`. A store that cannot be opened from
 * another process gets them declared `unavailable` with `unshared` as the reason.
 */
export function declareLeaseTests(
  test: DeclareTest,
  store: () => Store,
  shared: ((store: Store) => SharedStoreSpecification) | undefined,
  unshared: string,
): void {
  const define = (title: string, body: (shared: SharedStoreSpecification) => Promise<void>): void => {
    if (shared === undefined) test(title, () => Promise.resolve(), unshared);
    else test(title, () => body(shared(store())));
  };

  define('a holder frozen past its lease is taken over; thawed, it runs and writes nothing more', async (specification) => {
    const leaseTtlMs = 1_000;
    await withEffects(async (input) => {
      const holder = startHolder({ ...specification, input, holdAt: 2, leaseTtlMs });
      try {
        const executionId = (await holder.line(/^holding /)).slice('holding '.length);
        holder.child.kill('SIGSTOP');

        const { execution, records } = await takeOver(store(), executionId, leaseTtlMs);
        expect(records.map((record) => [record.id, record.status])).toEqual([1, 2, 3, 4].map((step) => [`step_${step}:1`, 'completed']));

        holder.child.stdin.end('go\n');
        holder.child.kill('SIGCONT');
        const exit = await holder.exited;
        expect(exit.code, exit.stderr).toBe(0);
        expect(exit.stdout).toMatch(/^lost /m);
        // The thawed holder finished the step it held, and stopped there: no further side effect…
        expect(effectLines(input)).toEqual(['holder step_1', 'holder step_2', 'taker step_2', 'taker step_3', 'taker step_4']);
        // …and nothing written over what the taker recorded.
        expect(await store().getExecution(executionId)).toStrictEqual(execution);
        expect(await store().listCheckpoints(executionId)).toStrictEqual(records);
      } finally {
        holder.stop();
      }
    });
  });

  define("a holder taken over while inside its write (past the session's own lease check) is refused by the store", async (specification) => {
    const leaseTtlMs = 1_000;
    await withEffects(async (input) => {
      const holder = startHolder({ ...specification, input, holdAt: 0, freezeInWriteOf: 2, leaseTtlMs });
      try {
        // The holder ran step 2's side effect, passed the session's checks, and stopped itself inside
        // the store call that records the step as completed.
        const executionId = (await holder.line(/^writing /)).slice('writing '.length);
        const { execution, records, logs } = await takeOver(store(), executionId, leaseTtlMs);

        holder.child.kill('SIGCONT');
        const exit = await holder.exited;
        expect(exit.code, exit.stderr).toBe(0);
        // The write went on to the store, which refused it: the store's fence, not the session's
        // check, is what stopped it.
        expect(exit.stdout).toMatch(/^refused LeaseLostError$/m);
        expect(exit.stdout).toMatch(/^lost /m);
        expect(effectLines(input)).toEqual(['holder step_1', 'holder step_2', 'taker step_2', 'taker step_3', 'taker step_4']);
        expect(await store().getExecution(executionId)).toStrictEqual(execution);
        expect(await store().listCheckpoints(executionId)).toStrictEqual(records);
        expect(await store().listLogs(executionId)).toStrictEqual(logs);
      } finally {
        holder.stop();
      }
    });
  });

  define("a live holder's heartbeat keeps its lease across several times its time to live", async (specification) => {
    const leaseTtlMs = 1_500;
    await withEffects(async (input) => {
      const holder = startHolder({ ...specification, input, holdAt: 2, leaseTtlMs });
      try {
        const executionId = (await holder.line(/^holding /)).slice('holding '.length);
        const contender = createRuntime({ store: store(), leaseTtlMs });
        contender.flow(leaseStepsFlow, leaseStepsBody('contender'));
        const first = (await store().getExecution(executionId))?.lease;
        expect(first).toBeDefined();
        const renewals = new Set<number>();
        // Contend for the execution until its lease, renewed by the holder, reaches three lifetimes
        // past the first one: every attempt must find it held.
        await until(
          async () => {
            expect(await contender.executions.recover()).toEqual([]);
            const lease = (await store().getExecution(executionId))?.lease;
            expect(lease?.owner).toBe(first?.owner);
            renewals.add(lease!.expiresAt);
            return lease!.expiresAt;
          },
          (expiresAt) => expiresAt >= first!.expiresAt + 3 * leaseTtlMs,
        );
        expect(renewals.size).toBeGreaterThanOrEqual(3);

        holder.child.stdin.end('go\n');
        const exit = await holder.exited;
        expect(exit.code, exit.stderr).toBe(0);
        expect(exit.stdout).toMatch(/^result completed$/m);
        expect(effectLines(input)).toEqual([1, 2, 3, 4].map((step) => `holder step_${step}`));
        const records = await store().listCheckpoints(executionId);
        expect(records.map((record) => [record.status, record.session])).toEqual(Array(4).fill(['completed', 1]));
      } finally {
        holder.stop();
      }
    });
  });
}

/**
 * A second runtime recovers the execution once the holder's lease expired and completes it from step 2
 * on; returns what it recorded, for the test to compare after the holder is thawed.
 */
async function takeOver(store: Store, executionId: string, leaseTtlMs: number) {
  const taker = createRuntime({ store, leaseTtlMs });
  taker.flow(leaseStepsFlow, leaseStepsBody('taker'));
  const reports = await until(
    () => taker.executions.recover(),
    (found) => found.length > 0,
  );
  expect(reports).toMatchObject([{ executionId, found: 'running', result: { status: 'completed', output: ['holder:1', 'taker:2', 'taker:3', 'taker:4'] } }]);
  return {
    execution: await store.getExecution(executionId),
    records: await store.listCheckpoints(executionId),
    logs: await store.listLogs(executionId),
  };
}

interface Holder {
  readonly child: ChildProcessWithoutNullStreams;
  /** The first stdout line matching `pattern`; rejects if the holder exits first. */
  line(pattern: RegExp): Promise<string>;
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Kills the holder if it still runs (a failed test must not leave it frozen). */
  stop(): void;
}

function startHolder(specification: LeaseWorkerSpecification): Holder {
  const child = spawn(process.execPath, [compiledWorkerFile('lease-worker'), JSON.stringify(specification)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          const found = stdout.split('\n').find((line) => pattern.test(line));
          if (found !== undefined) resolve(found);
        };
        child.stdout.on('data', look);
        look();
        void exited.then(({ code }) => reject(new Error(`the lease holder exited (${code}) before printing ${pattern}:\n${stdout}\n${stderr}`)));
      }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        child.kill('SIGCONT');
      }
    },
  };
}

/** Runs `body` with a fresh side-effect log, removed afterwards. */
async function withEffects(body: (input: LeaseStepsInput) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'keel-lease-'));
  try {
    await body({ effects: join(folder, 'effects.log'), steps: 4 });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function effectLines(input: LeaseStepsInput): string[] {
  return readFileSync(input.effects, 'utf8').split('\n').filter(Boolean);
}

/** Calls `probe` every 50 ms until `done` accepts what it returned, and returns that. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
