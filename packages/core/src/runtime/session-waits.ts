import type { z } from 'zod';
import type { DivergenceSide } from '../errors/divergence-error.js';
import { ReplayMissError } from '../errors/replay-miss-error.js';
import { WaitTimeoutError } from '../errors/wait-timeout-error.js';
import { encodePayload, loadPayload } from '../serialization/payloads.js';
import type { CheckpointRecord } from '../store/records.js';
import { toErrorRecord } from './error-records.js';
import { stripResolution } from './pending-wait.js';
import type { Scope } from './scope.js';
import type { SessionInternals } from './session-internals.js';
import { toStoredSchema, zodIssues } from './wait-schema.js';
import type { WaitOptions } from './types.js';

/** `wait()` in a session: the recorded input, or a suspension until input arrives. */
export function runWait<Schema extends z.ZodType>(
  session: SessionInternals,
  scope: Scope,
  name: string,
  options: WaitOptions<Schema>,
): Promise<z.output<Schema>> {
  const id = scope.nextId(name, options.key);
  const current: DivergenceSide = { id, name, kind: 'wait', ...session.currentVersion() };
  try {
    if (options.ordered !== false) session.history.checkPosition(scope, current);
    const existing = session.history.get(id);
    if (existing) {
      session.history.checkSameCall(existing, current);
      if (existing.status === 'completed') return session.history.recordedOutput(existing) as Promise<z.output<Schema>>;
      if (existing.status === 'failed' && existing.error && session.history.failedBefore(id)) return session.history.recordedFailure(existing);
    } else {
      const answered = session.recordedWait(id);
      if (answered) return answerFromRecord(session, scope, { id, name, seq: session.history.nextSeq() }, answered, options);
      if (session.hermetic) throw new ReplayMissError({ executionId: session.executionId, checkpointId: id, kind: 'wait' });
    }
    const seq = existing?.seq ?? session.history.nextSeq();
    return openWait(session, scope, { id, name, seq, existing }, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

async function openWait<Schema extends z.ZodType>(
  session: SessionInternals,
  scope: Scope,
  call: { id: string; name: string; seq: number; existing: CheckpointRecord | undefined },
  options: WaitOptions<Schema>,
): Promise<z.output<Schema>> {
  const { id } = call;
  const now = Date.now();
  session.goLive();
  const base = waitRecord(session, scope, call, options, call.existing?.startedAt ?? now);
  let wait = await session.store.getWait(session.executionId, id);
  if (wait?.status === 'resolved' && wait.input) {
    const parsed = options.schema.safeParse(await loadPayload(session.store, wait.input));
    if (parsed.success) {
      const output = encodePayload(parsed.data, `the input of wait "${id}"`);
      const record: CheckpointRecord = {
        ...base,
        status: 'completed',
        output: output.ref,
        endedAt: Date.now(),
        ...(wait.resolvedBy ? { metadata: { resolvedBy: wait.resolvedBy } } : {}),
      };
      await session.writeCheckpoints([record], [{ hash: output.ref.hash, content: output.text }]);
      session.history.set(id, record);
      return parsed.data;
    }
    // The input passed the stored JSON Schema but not the flow's own schema (a refinement, say):
    // it is refused here, where the code is, and the question is asked again.
    wait = {
      ...stripResolution(wait),
      status: 'pending',
      metadata: { ...wait.metadata, refusedInput: { issues: zodIssues(parsed.error), at: now } },
    };
    await session.putWait(wait);
  }
  if (wait?.status === 'timed-out' || (wait?.status === 'pending' && wait.expiresAt !== undefined && wait.expiresAt <= now)) {
    if (wait.status !== 'timed-out') await session.putWait({ ...wait, status: 'timed-out' });
    const error = new WaitTimeoutError({ executionId: session.executionId, waitId: id });
    const record: CheckpointRecord = { ...base, status: 'failed', error: await toErrorRecord(session.store, error), endedAt: now };
    await session.writeCheckpoints([record]);
    session.history.set(id, record);
    throw error;
  }
  if (!wait) {
    wait = {
      executionId: session.executionId,
      id,
      name: call.name,
      status: 'pending',
      schema: await toStoredSchema(options.schema),
      createdAt: now,
      ...(options.question !== undefined ? { question: options.question } : {}),
      ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
      ...(options.timeout !== undefined ? { expiresAt: now + options.timeout } : {}),
    };
    await session.putWait(wait);
  }
  await session.writeCheckpoints([base]);
  session.history.set(id, base);
  return session.suspend(scope);
}

/**
 * A replay with a change reached a wait the original answered: the same question gets the same
 * answer (an experiment compares what the change does, not what a person would decide today).
 */
async function answerFromRecord<Schema extends z.ZodType>(
  session: SessionInternals,
  scope: Scope,
  call: { id: string; name: string; seq: number },
  answered: CheckpointRecord,
  options: WaitOptions<Schema>,
): Promise<z.output<Schema>> {
  session.goLive();
  const now = Date.now();
  const record: CheckpointRecord = {
    ...waitRecord(session, scope, call, options, now),
    status: 'completed',
    output: answered.output!,
    metadata: { ...answered.metadata, answeredFrom: answered.id },
    endedAt: now,
  };
  await session.writeCheckpoints([record]);
  session.history.set(call.id, record);
  return session.history.recordedOutput(record) as Promise<z.output<Schema>>;
}

/** A wait's checkpoint record as it opens (status `waiting`). */
function waitRecord<Schema extends z.ZodType>(
  session: SessionInternals,
  scope: Scope,
  call: { id: string; name: string; seq: number },
  options: WaitOptions<Schema>,
  startedAt: number,
): CheckpointRecord {
  return {
    executionId: session.executionId,
    id: call.id,
    parentId: scope.checkpointId,
    name: call.name,
    kind: 'wait',
    status: 'waiting',
    seq: call.seq,
    attempts: 1,
    delivery: 'at-least-once',
    durable: true,
    session: session.number,
    ...session.versionField(),
    ...(options.ordered === false ? { ordered: false } : {}),
    startedAt,
  };
}
