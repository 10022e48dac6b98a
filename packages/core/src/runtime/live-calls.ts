import type { BlobWrite, CheckpointKind, CheckpointRecord, PayloadRef } from '../store/records.js';
import { CheckpointTimeoutError } from '../errors/checkpoint-timeout-error.js';
import { SessionEndedError } from '../errors/session-ended-error.js';
import { UnfinishedCallError } from '../errors/unfinished-call-error.js';
import { encodePayload, loadPayload } from '../serialization/payloads.js';
import type { SessionTelemetry } from '../telemetry/session-telemetry.js';
import { AttemptSignal } from './attempt-signal.js';
import { Call } from './call.js';
import { toErrorRecord } from './error-records.js';
import { estimateCallCost, priceTable, type ModelCost } from './model-cost.js';
import { modelUsageOf } from './model-usage.js';
import { backoffDelay, isRetryable } from './retry-policy.js';
import { Scope, runInScope } from './scope.js';
import type { Session } from './session.js';
import type { SessionBudget } from './session-budget.js';
import type { SessionInternals } from './session-internals.js';
import type { CheckpointContext, CheckpointOptions } from './types.js';

/** A call about to run live: its id, name and kind, its place (`seq`), and what an earlier session recorded of it. */
export interface LiveCall {
  readonly id: string;
  readonly name: string;
  readonly kind: CheckpointKind;
  readonly seq: number;
  readonly existing: CheckpointRecord | undefined;
}

/** What the live-call path uses of its session, besides its {@link SessionInternals}. */
export interface LiveCallHost extends SessionInternals {
  /** The session, for the scopes of the calls made inside a call. */
  readonly session: Session;
  /** Aborted when the session stops (cancelled, lease lost, store failed). */
  readonly controller: AbortController;
  readonly telemetry: SessionTelemetry;
  readonly budget: SessionBudget;
  /** The calls running now (see `Session`'s settling at the end). */
  readonly inFlight: Set<Call>;
  /** Whether the session recorded its outcome: then it writes nothing more. */
  ended(): boolean;
  /** Whether the session stopped writing: its lease was lost, or its store failed. */
  writesStopped(): boolean;
  /** Whether the session was cancelled or stopped (a suspension is not). */
  halted(): boolean;
  /** Throws when the session was cancelled or stopped. */
  throwIfHalted(): void;
  /** Throws if the session's lease may have passed to another process (reads only past its expiry). */
  confirmLease(): Promise<void>;
  /** Stores the captured input of a call per the capture policy, or `undefined` when it is not captured. */
  capture(value: unknown, name: string, kind: CheckpointKind): Promise<PayloadRef | undefined>;
  /** Sleeps `ms` or until the session stops. */
  sleep(ms: number): Promise<void>;
  /** Tells the session that a call started or ended. */
  notify(): void;
}

/**
 * The live path of a session's calls: the record of a call's start, its attempts (with retries, a
 * timeout and the session's signal), and the record of its outcome. A live call costs one store write
 * when it is fast: the output blob and the completed record together, the `running` record deferred
 * for at-least-once calls and written before the effect for at-most-once ones (see {@link #started}).
 */
export class LiveCalls {
  constructor(private readonly host: LiveCallHost) {}

  /**
   * Runs `fn` live as the checkpoint `call` in `scope`: records its start (see {@link #started}), runs
   * its attempts with retries and a timeout, and records its outcome with its output in one write.
   */
  async run<T>(scope: Scope, call: LiveCall, fn: (context: CheckpointContext) => T | Promise<T>, options: CheckpointOptions): Promise<T> {
    const { id, existing } = call;
    const delivery = options.delivery ?? 'at-least-once';
    const durable = options.durable ?? true;
    const parent = scope.call;
    let record: CheckpointRecord = {
      executionId: this.host.executionId,
      id,
      parentId: scope.checkpointId,
      name: call.name,
      kind: call.kind,
      status: 'running',
      seq: call.seq,
      attempts: existing?.attempts ?? 0,
      delivery,
      durable,
      session: this.host.number,
      ...this.host.versionField(),
      ...(options.ordered === false ? { ordered: false } : {}),
      startedAt: existing?.startedAt ?? Date.now(),
      ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
    const state = new Call(id, parent, record);
    this.host.inFlight.add(state);
    this.host.goLive();
    this.host.telemetry.checkpointStarted(state);
    let failure: unknown;
    try {
      if (existing?.status === 'running' && this.host.history.wasInterrupted(id) && delivery === 'at-most-once') {
        await this.#decideUnfinished(state, existing);
      }
      this.host.throwIfHalted();
      if (options.input !== undefined && !existing?.input) {
        const captured = await this.host.capture(options.input, call.name, call.kind);
        if (captured) record = { ...record, input: captured };
      }
      const retries = options.retries ?? 0;
      for (let attemptInCall = 1; ; attemptInCall++) {
        if (this.host.ended()) throw new SessionEndedError({ executionId: this.host.executionId });
        const attempt = record.attempts + 1;
        // A new attempt: what the previous one ended with does not describe it.
        const { error: _error, endedAt: _endedAt, ...previous } = record;
        record = { ...previous, status: 'running', attempts: attempt };
        state.record = record;
        await this.#started(record);
        try {
          // A cancel the start's receipt brought: the effect has not run, and the record says so.
          this.host.throwIfHalted();
          const { value, metadata } = await this.#attempt(state, fn, attempt, options.timeout);
          if (metadata) record = { ...record, metadata: { ...record.metadata, ...metadata } };
          if (call.kind === 'model') record = await this.#withCost(record);
          const endedAt = Date.now();
          let blobs: BlobWrite[] = [];
          if (durable) {
            const output = encodePayload(value, `the output of checkpoint "${id}"`);
            blobs = [{ hash: output.ref.hash, content: output.text }];
            record = { ...record, status: 'completed', output: output.ref, endedAt };
          } else {
            record = { ...record, status: 'completed', endedAt };
          }
          state.record = record;
          // One store write: the output and the completed record (with any records deferred so far).
          await this.host.writeCheckpoints([record], blobs);
          this.host.history.set(id, record);
          if (call.kind === 'model') await this.host.budget.spend(record);
          return value;
        } catch (error) {
          // Nothing more is written once the session ended, lost its lease, or lost its store.
          if (this.host.ended() || this.host.writesStopped()) throw error;
          const haltedHere = this.host.halted();
          const retryOn = options.retryOn ?? isRetryable;
          if (!haltedHere && attemptInCall <= retries && isRetryable(error) && retryOn(error)) {
            await this.host.sleep(backoffDelay(options.backoff, attemptInCall, error));
            continue;
          }
          record = { ...record, status: 'failed', error: await toErrorRecord(this.host.store, error), endedAt: Date.now() };
          state.record = record;
          await this.host.writeCheckpoints([record]);
          this.host.history.set(id, record);
          throw error;
        }
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.host.telemetry.checkpointEnded(state, failure);
      this.host.inFlight.delete(state);
      this.host.notify();
    }
  }

  /**
   * Records that an attempt starts, before its side effect runs. An at-most-once call's `running`
   * record is durable before the effect (that is what lets a crash be told from a completed call, so
   * the call is never repeated unasked). An at-least-once call's is deferred: it is written with the
   * session's next write, or after a short delay when the call is still running; a crash before then
   * leaves no record of the attempt, and the call runs again, which at-least-once allows (see the
   * README's "Write path"). Either way the session makes no read here: the lease is confirmed without
   * one while it is fresh, and a cancel request arrives with a write's receipt or the heartbeat's look.
   */
  async #started(record: CheckpointRecord): Promise<void> {
    this.host.throwIfHalted();
    if (record.delivery === 'at-most-once') {
      await this.host.writeCheckpoints([record]);
      return;
    }
    if (this.host.ended()) throw new SessionEndedError({ executionId: this.host.executionId });
    this.host.deferCheckpoint(record);
    await this.host.confirmLease();
  }

  /** A model call's record with its estimated cost at list price (`cost`), when it counted tokens. */
  async #withCost(record: CheckpointRecord): Promise<CheckpointRecord> {
    if (!modelUsageOf(record.metadata)) return record;
    // The call succeeded: a price table that cannot be read leaves its cost unknown, never fails it.
    const cost = await estimateCallCost(record.metadata).catch((): ModelCost => ({ usd: null, prices: priceTable }));
    return { ...record, metadata: { ...record.metadata, cost } };
  }

  async #attempt<T>(
    state: Call,
    fn: (context: CheckpointContext) => T | Promise<T>,
    attempt: number,
    timeout: number | undefined,
  ): Promise<{ value: T; metadata: Record<string, unknown> | undefined }> {
    const abort = new AttemptSignal(this.host.controller.signal);
    let metadata: Record<string, unknown> | undefined;
    const context: CheckpointContext = {
      executionId: this.host.executionId,
      checkpointId: state.id,
      attempt,
      idempotencyKey: `${this.host.executionId}:${state.id}`,
      get signal() {
        return abort.signal;
      },
      setMetadata: (fields) => {
        metadata = { ...metadata, ...fields };
      },
    };
    const child = new Scope(this.host.session, state.id, state);
    let timer: NodeJS.Timeout | undefined;
    try {
      const running = this.host.telemetry.runInCheckpoint(state, () => runInScope(child, async () => fn(context)));
      const value =
        timeout === undefined
          ? await running
          : await Promise.race([
              running,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                  const error = new CheckpointTimeoutError({ checkpointId: state.id, timeoutMs: timeout });
                  abort.abort(error);
                  reject(error);
                }, timeout);
              }),
            ]);
      return { value, metadata };
    } finally {
      clearTimeout(timer);
      abort.end();
    }
  }

  /**
   * An at-most-once call was interrupted: running it again could repeat its effect, so the
   * execution waits for a person (or service) to decide, through an ordinary wait.
   */
  async #decideUnfinished(state: Call, existing: CheckpointRecord): Promise<void> {
    const waitId = `${existing.id}#decision:${existing.attempts}`;
    const wait = await this.host.store.getWait(this.host.executionId, waitId);
    if (wait?.status === 'resolved' && wait.input) {
      const decision = await loadPayload(this.host.store, wait.input);
      if (decision === 'rerun') return;
      throw new UnfinishedCallError({ executionId: this.host.executionId, checkpointId: existing.id });
    }
    if (!wait) {
      await this.host.putWait({
        executionId: this.host.executionId,
        id: waitId,
        name: `${existing.name}#decision`,
        status: 'pending',
        question:
          `The at-most-once call "${existing.id}" was interrupted and may or may not have taken effect. ` +
          'Answer "rerun" to run it again or "fail" to fail it.',
        schema: { type: 'string', enum: ['rerun', 'fail'] },
        metadata: { checkpointId: existing.id, attempts: existing.attempts },
        createdAt: Date.now(),
      });
    }
    state.recordAsWaiting = false;
    await this.host.suspend(new Scope(this.host.session, state.id, state));
  }
}
