import type { CheckpointRecord, ExecutionRecord, LogRecord, WaitRecord } from '@keel/core';

/** What the latest session of an execution (or a replay) took from records instead of running it again. */
export interface ReuseInference {
  /** `replay`: records copied from the original; `resume`: records an earlier session completed. */
  readonly basis: 'replay' | 'resume';
  /** The session the inference is about (the latest). */
  readonly session: number;
  /** For `resume`: the time before which a checkpoint must have completed to count as reused. */
  readonly since?: number;
  /** Ids of the reused checkpoints. */
  readonly ids: ReadonlySet<string>;
}

/**
 * Which checkpoints the latest session reused. Checkpoint records do not say which session wrote them,
 * so this is inferred:
 * - a replay's copied records ended before the replay was created (overrides are not reuse);
 * - after a resume, the latest session began after the latest wait input and after the last log line
 *   of any earlier session; a completed checkpoint that ended before that moment was completed by an
 *   earlier session, and the latest one returned its stored output instead of running it.
 * The moment is a lower bound, so the count never claims a call that ran again; a resume after a crash
 * with no waits and no logs has no such moment, and nothing is reported.
 */
export function inferReuse(
  execution: Pick<ExecutionRecord, 'sessions' | 'createdAt' | 'replayOf'>,
  records: readonly CheckpointRecord[],
  waits: readonly Pick<WaitRecord, 'resolvedAt'>[],
  logs: readonly Pick<LogRecord, 'session' | 'time'>[],
): ReuseInference | undefined {
  const completed = records.filter((record) => record.status === 'completed' && record.durable && record.endedAt !== undefined);
  if (execution.replayOf) {
    const ids = completed.filter((record) => record.metadata?.overridden !== true && record.endedAt! < execution.createdAt).map((record) => record.id);
    return { basis: 'replay', session: execution.sessions, ids: new Set(ids) };
  }
  if (execution.sessions < 2) return undefined;
  let since: number | undefined;
  for (const wait of waits) if (wait.resolvedAt !== undefined) since = Math.max(since ?? 0, wait.resolvedAt);
  for (const line of logs) if (line.session < execution.sessions) since = Math.max(since ?? 0, line.time);
  if (since === undefined) return undefined;
  const ids = completed.filter((record) => record.kind !== 'wait' && record.endedAt! <= since!).map((record) => record.id);
  return { basis: 'resume', session: execution.sessions, since, ids: new Set(ids) };
}
