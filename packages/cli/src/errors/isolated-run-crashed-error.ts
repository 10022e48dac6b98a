import { KeelError } from '@keel/core';

/** Why an isolated execution's process ended without an answer. */
export type IsolatedRunEnd = 'memory' | 'timeout' | 'crash';

/**
 * The child process of `keel worker --isolate` that ran an execution ended without finishing the
 * session: it ran out of memory, passed `--timeout-ms` (and was killed), or crashed. The execution
 * itself is untouched: its lease holder is gone, so a worker recovers it from its last completed
 * checkpoint, as after any crash.
 */
export class IsolatedRunCrashedError extends KeelError {
  readonly executionId: string;
  readonly end: IsolatedRunEnd;
  readonly exitCode: number | null;
  readonly signal: string | null;

  /** How many of this execution's processes died in this worker so far. */
  readonly crashes: number;

  constructor({
    executionId,
    end,
    exitCode,
    signal,
    limit,
    crashes,
    maxCrashes,
  }: {
    executionId: string;
    end: IsolatedRunEnd;
    exitCode: number | null;
    signal: string | null;
    limit?: number;
    crashes: number;
    maxCrashes: number;
  }) {
    const how =
      end === 'memory'
        ? `ran out of memory${limit !== undefined ? ` (--memory-mb ${limit})` : ''}`
        : end === 'timeout'
          ? `ran past --timeout-ms ${limit} and was killed`
          : `crashed (${signal !== null ? `signal ${signal}` : `exit code ${exitCode}`})`;
    super(
      `The process running execution "${executionId}" ${how}; the worker and other runs go on. ` +
        (crashes < maxCrashes
          ? 'The execution is recovered from its last completed checkpoint like any crashed run. If it keeps happening, raise the limit, or cancel it (keel executions cancel).'
          : `That is ${crashes} times in this worker, which now leaves it alone (still running, abandoned): raise the limit and resume it (keel executions resume ${executionId}), or cancel it (keel executions cancel ${executionId}).`),
    );
    this.crashes = crashes;
    this.executionId = executionId;
    this.end = end;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}
