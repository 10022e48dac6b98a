import type { z } from 'zod';
import type { CheckpointKind, CheckpointRecord, ExecutionPatch, ExecutionRecord, LeaseFence, LogLevel, WaitRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { DivergenceSide } from '../errors/divergence-error.js';
import { ExecutionCancelledError } from '../errors/execution-cancelled-error.js';
import { ExecutionLeasedError } from '../errors/execution-leased-error.js';
import { ExecutionStateError } from '../errors/execution-state-error.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import { CheckpointTimeoutError } from '../errors/checkpoint-timeout-error.js';
import { ReplayMissError } from '../errors/replay-miss-error.js';
import { SessionEndedError } from '../errors/session-ended-error.js';
import { UnfinishedCallError } from '../errors/unfinished-call-error.js';
import { encodePayload, loadPayload, storePayload } from '../serialization/payloads.js';
import { ConversationChains } from '../serialization/conversation-chains.js';
import { artifactTypeOf } from './artifact-type.js';
import { Call } from './call.js';
import { toErrorRecord } from './error-records.js';
import { ExecutionLease } from './execution-lease.js';
import { toPendingWait } from './pending-wait.js';
import { ReplayHistory } from './replay-history.js';
import { backoffDelay, isRetryable } from './retry-policy.js';
import { Scope, runInScope } from './scope.js';
import type { SessionInternals } from './session-internals.js';
import { SessionLog } from './session-log.js';
import { SessionBudget } from './session-budget.js';
import { estimateCallCost, priceTable, type ModelCost } from './model-cost.js';
import { modelUsageOf } from './model-usage.js';
import { runWait } from './session-waits.js';
import { PatchMarkers } from './patch-markers.js';
import { resolveCapture } from './capture.js';
import { recordedStream } from './recorded-stream.js';
import { watchingFailures } from './store-failures.js';
import type { ActiveChange } from './recorded-answers.js';
import { toolAnswerFor, type ToolAnswerKind } from './replay-change.js';
import { ToolRecordMissError } from '../errors/tool-record-miss-error.js';
import type { CapturePolicy, CheckpointContext, CheckpointOptions, RunResult, WaitOptions } from './types.js';
import { SessionTelemetry, type SessionEnd } from '../telemetry/session-telemetry.js';

/** What a session needs from the runtime that started it. */
export interface SessionHost {
  readonly ownerId: string;
  readonly leaseTtlMs: number;
  readonly capture: CapturePolicy | undefined;
}

/** How a session treats what earlier sessions recorded. */
export type SessionMode =
  /** A new execution, or one resumed after a wait or a crash: recorded failures are replayed as failures. */
  | 'run'
  /** `retry` of a failed execution: recorded failures run again. */
  | 'retry';

type Halt =
  | { readonly reason: 'suspended' }
  | { readonly reason: 'cancelled' }
  /** Another process holds the execution now: nothing more is written. */
  | { readonly reason: 'lease-lost'; readonly error: Error }
  /** A write to the store failed: the session cannot record what happens next, so it records nothing more. */
  | { readonly reason: 'store-failed'; readonly error: Error };

const never = new Promise<never>(() => {});

/**
 * One run of an execution's body in this process: `run`, `resume` and `retry` each start one. It
 * holds the lease, replays what earlier sessions recorded, records what runs live, and ends the
 * execution as completed, failed, waiting or cancelled.
 *
 * Suspension does not rely on an exception the flow could catch: a `wait()` without input records
 * the wait and never settles; the session notices, lets the calls that are still doing work finish
 * and be recorded, and ends the execution as `waiting`. Nothing after the wait runs in this session.
 */
export class Session {
  readonly executionId: string;
  readonly number: number;
  readonly controller = new AbortController();

  readonly #history: ReplayHistory;
  readonly #lease: ExecutionLease;
  readonly #log: SessionLog;

  #halt: Halt | null = null;
  /** True until this session does something an earlier one did not: runs a call live or opens a wait. */
  #replaying: boolean;
  /** Set once the session recorded its outcome: from then on it writes nothing. */
  #ended = false;
  readonly #halted: Promise<void>;
  #signalHalt!: () => void;
  readonly #inFlight = new Set<Call>();
  #changed: (() => void) | null = null;
  readonly #internals: SessionInternals;
  readonly #patches: PatchMarkers;
  readonly #budget: SessionBudget;

  /**
   * The store, watched: a call that fails stops the session (see {@link #storeFailed}). The lease's
   * heartbeat uses the store itself, so a renewal that fails does not stop a session whose store may
   * be back before the lease runs out.
   */
  readonly store: Store;
  readonly #telemetry: SessionTelemetry;

  constructor(
    readonly host: SessionHost,
    store: Store,
    execution: ExecutionRecord,
    records: readonly CheckpointRecord[],
    readonly mode: SessionMode,
    readonly hermetic: boolean,
    /** The code version running this session (it may be one declared compatible with the execution's). */
    readonly codeVersion: string | undefined,
    /** The change of a replay with one (an experiment's member), else `undefined`. */
    readonly change?: ActiveChange,
  ) {
    this.executionId = execution.id;
    this.number = execution.sessions;
    const leaseStore = store;
    store = this.store = watchingFailures(store, (error) => this.#storeFailed(error));
    this.#history = new ReplayHistory(store, execution, records);
    this.#replaying = this.#history.recordedAnything;
    this.#lease = new ExecutionLease(leaseStore, host, execution, {
      cancelRequested: () => this.cancel(),
      leaseLost: (cause) => {
        this.#loseLease(cause);
        return this.controller.signal.reason as Error;
      },
      stopped: () => this.#halt !== null && this.#halt.reason !== 'suspended',
    });
    this.#log = new SessionLog(store, execution.id, execution.sessions, this.#lease.fence, () => this.#replaying);
    this.#internals = {
      executionId: execution.id,
      number: execution.sessions,
      store,
      fence: this.#lease.fence,
      history: this.#history,
      hermetic,
      goLive: () => (this.#replaying = false),
      canWrite: () => !this.#halt && !this.#ended,
      versionField: () => this.#versionField(),
      currentVersion: () => this.#currentVersion(),
      putCheckpoint: (record) => this.#putCheckpoint(record),
      putWait: (record) => this.#putWait(record),
      recordedWait: (id) => change?.answers.wait(id),
      suspend: (scope) => this.#suspend(scope),
    };
    this.#patches = new PatchMarkers(this.#internals);
    this.#budget = new SessionBudget(store, execution, records);
    this.#halted = new Promise((resolve) => (this.#signalHalt = resolve));
    const operation = mode === 'retry' ? 'retry' : execution.sessions > 1 ? 'resume' : execution.replayOf ? 'replay' : 'run';
    this.#telemetry = new SessionTelemetry(execution, operation, codeVersion);
  }

  get execution(): ExecutionRecord {
    return this.#lease.execution;
  }

  // ── the body ──────────────────────────────────────────────────────────────────────────────

  /** Runs the flow body to its end (or to a wait) and records the outcome. */
  async execute<Output>(body: (input: unknown) => unknown, input: unknown): Promise<RunResult<Output>> {
    try {
      const result = await this.#execute<Output>(body, input);
      this.#telemetry.ended(result.status as SessionEnd, result.error);
      return result;
    } catch (error) {
      this.#telemetry.ended(this.#halt?.reason === 'lease-lost' ? 'lease-lost' : 'failed', error);
      throw error;
    }
  }

  async #execute<Output>(body: (input: unknown) => unknown, input: unknown): Promise<RunResult<Output>> {
    this.#lease.startHeartbeat();
    const root = new Scope(this, null);
    try {
      await this.#telemetry.connect(this.store, this.execution, (patch) => this.updateExecution(patch));
    } catch {
      // Tracing never fails a run: without the stored traceparent the next session only lacks its link.
    }
    type Outcome = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'halted' };
    const finished: Promise<Outcome> = this.#telemetry
      .activate(() => runInScope(root, async () => body(input)))
      .then(
        (value): Outcome => ({ kind: 'returned', value }),
        (error: unknown): Outcome => ({ kind: 'threw', error }),
      );
    let outcome = await Promise.race([finished, this.#halted.then((): Outcome => ({ kind: 'halted' }))]);
    if (outcome.kind === 'threw' && ExecutionCancelledError.isInstance(outcome.error)) {
      this.cancel();
      outcome = { kind: 'halted' };
    }
    await this.#settleInFlight();
    try {
      if (!this.#writesStopped()) await this.#log.flush();
      await this.#patches.written();
      await this.#markBlockedCallsWaiting();
      this.#ended = true;
      return await this.#finish<Output>(outcome);
    } finally {
      this.#lease.stopHeartbeat();
    }
  }

  async #finish<Output>(outcome: { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'halted' }): Promise<RunResult<Output>> {
    const halt = this.#halt;
    if (halt?.reason === 'lease-lost' || halt?.reason === 'store-failed') throw halt.error;
    const now = Date.now();
    if (halt?.reason === 'cancelled') {
      const error = new ExecutionCancelledError({ executionId: this.executionId });
      await this.updateExecution({
        status: 'cancelled',
        error: await toErrorRecord(this.store, error),
        lease: null,
        cancelRequested: null,
        endedAt: now,
      });
      return { executionId: this.executionId, status: 'cancelled', error };
    }
    if (halt?.reason === 'suspended') {
      await this.updateExecution({ status: 'waiting', lease: null });
      const waits = await this.store.listWaits(this.executionId, { status: 'pending' });
      return { executionId: this.executionId, status: 'waiting', waits: waits.map(toPendingWait) };
    }
    if (outcome.kind === 'returned') {
      let output;
      try {
        output = encodePayload(outcome.value, `the output of flow "${this.execution.flow}"`);
      } catch (error) {
        return this.#fail(error);
      }
      await this.store.putBlob(output.ref.hash, output.text);
      await this.store.putArtifact(
        {
          executionId: this.executionId,
          name: 'output',
          type: artifactTypeOf(outcome.value),
          payload: output.ref,
          checkpointId: null,
          createdAt: now,
        },
        this.fence,
      );
      await this.updateExecution({ status: 'completed', output: output.ref, error: null, lease: null, endedAt: now });
      return { executionId: this.executionId, status: 'completed', output: outcome.value as Output };
    }
    return this.#fail(outcome.kind === 'threw' ? outcome.error : new Error('flow ended without an outcome'));
  }

  async #fail<Output>(error: unknown): Promise<RunResult<Output>> {
    await this.updateExecution({ status: 'failed', error: await toErrorRecord(this.store, error), lease: null, endedAt: Date.now() });
    return { executionId: this.executionId, status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
  }

  // ── checkpoints ───────────────────────────────────────────────────────────────────────────

  /**
   * Writes a checkpoint record, unless this session already ended: a call left blocked at a wait may
   * settle later (an adapter stopping the harness), and its late record must not change what the
   * next session replays.
   */
  async #putCheckpoint(record: CheckpointRecord): Promise<void> {
    if (this.#ended) throw new SessionEndedError({ executionId: this.executionId });
    await this.#patches.written();
    await this.#confirmLease();
    await this.store.putCheckpoint(record, this.fence);
  }

  #putWait(record: WaitRecord): Promise<void> {
    return this.store.putWait(record, this.fence);
  }

  /** The lease this session claimed: every write it makes carries it, and the store checks it. */
  get fence(): LeaseFence {
    return this.#lease.fence;
  }

  /**
   * A call of the store failed. The store refusing a fenced write means another process holds the
   * execution now: the session stops as a lease found lost does. (The check before each write,
   * {@link #confirmLease}, saves a side effect; the store's fence is what keeps a holder that raced
   * past it from writing.) Any other failure (the store unreachable past its retries) stops the
   * session too, writing nothing more: see {@link #stopWriting}.
   */
  #storeFailed(error: unknown): void {
    if (LeaseLostError.isInstance(error)) this.#loseLease(error);
    else this.#stopWriting(error instanceof Error ? error : new Error(String(error)));
  }

  /**
   * Throws if this session's lease may have passed to another process. While the lease as last renewed
   * has not expired, nobody may take it, so no read is needed; past its expiry (this process was
   * frozen, or its renewals failed) another worker may have taken over, so the store is asked before
   * anything is written over what that worker recorded.
   */
  async #confirmLease(): Promise<void> {
    if (this.#halt?.reason === 'lease-lost') throw this.#halt.error;
    const lease = this.execution.lease;
    if (lease && lease.owner === this.host.ownerId && lease.expiresAt > Date.now()) return;
    const current = await this.store.getExecution(this.executionId);
    if (current && current.lease?.owner !== this.host.ownerId) {
      this.#loseLease(current);
      throw this.controller.signal.reason;
    }
  }

  /** Runs `fn` as the checkpoint `name` in `scope`, or returns what an earlier session recorded. */
  runCheckpoint<T>(scope: Scope, name: string, fn: (context: CheckpointContext) => T | Promise<T>, options: CheckpointOptions): Promise<T> {
    if (this.#halt) return this.#afterHalt();
    const kind = options.kind ?? 'step';
    const id = scope.nextId(name, options.key);
    const current: DivergenceSide = { id, name, kind, ...this.#currentVersion(), ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}) };
    try {
      if (options.ordered !== false) this.#history.checkPosition(scope, current);
    } catch (error) {
      return Promise.reject(error);
    }
    const existing = this.#history.get(id);
    if (existing) {
      try {
        this.#history.checkSameCall(existing, current, options.formerFingerprints);
      } catch (error) {
        return Promise.reject(error);
      }
      if (existing.status === 'completed' && existing.durable) {
        this.#telemetry.checkpointReused(scope.call, existing);
        return this.#history.recordedOutput(existing) as Promise<T>;
      }
      if (existing.status === 'failed' && existing.error && this.mode === 'run' && this.#history.failedBefore(id)) {
        return this.#history.recordedFailure(existing);
      }
    } else if (this.change && (kind === 'tool' || kind === 'mcp')) {
      return this.#answerTool(scope, { id, name, kind, seq: this.#history.nextSeq(), existing }, fn, options);
    } else if (this.hermetic) {
      return Promise.reject(new ReplayMissError({ executionId: this.executionId, checkpointId: id, kind }));
    }
    const seq = existing?.seq ?? this.#history.nextSeq();
    if (kind === 'model') {
      // Only a call about to be made live is checked: reused ones cost nothing now.
      return this.#budget
        .beforeLiveCall(scope, id, (waitScope, waitName, waitOptions) => this.runWait(waitScope, waitName, waitOptions))
        .then(() => this.#runLive(scope, { id, name, kind, seq, existing }, fn, options));
    }
    return this.#runLive(scope, { id, name, kind, seq, existing }, fn, options);
  }

  /**
   * A tool call of a replay with a change, answered per the change's policy: from the original's
   * record of the same call, by the tool, or by its replacement. How it was answered is kept in the
   * record's `toolAnswer` metadata, which is what experiments count.
   */
  #answerTool<T>(
    scope: Scope,
    call: { id: string; name: string; kind: CheckpointKind; seq: number; existing: CheckpointRecord | undefined },
    fn: (context: CheckpointContext) => T | Promise<T>,
    options: CheckpointOptions,
  ): Promise<T> {
    const { change, answers, original } = this.change!;
    const answered = (answer: ToolAnswerKind, extra: Record<string, unknown> = {}): CheckpointOptions => ({
      ...options,
      metadata: { ...options.metadata, toolAnswer: answer, ...extra },
    });
    if (change.tools?.[call.name]) return this.#runLive(scope, call, fn, answered('replacement'));
    const policy = toolAnswerFor(change.toolAnswers, call.name);
    if (policy.mode === 'live') return this.#runLive(scope, call, fn, answered('live'));
    const recorded = answers.tool(call.name, options.fingerprint);
    if (recorded) {
      const fromRecord = () => loadPayload(this.store, recorded.output!, { executionId: original, checkpointId: recorded.id }) as Promise<T>;
      return this.#runLive(scope, call, fromRecord, { ...answered('record', { answeredFrom: recorded.id }), retries: 0 });
    }
    if (policy.onMiss === 'live') return this.#runLive(scope, call, fn, answered('miss-live'));
    const miss = (): never => {
      throw new ToolRecordMissError({ executionId: this.executionId, checkpointId: call.id, tool: call.name, original });
    };
    return this.#runLive(scope, call, miss, { ...answered('miss'), retries: 0 });
  }

  async #runLive<T>(
    scope: Scope,
    call: { id: string; name: string; kind: CheckpointKind; seq: number; existing: CheckpointRecord | undefined },
    fn: (context: CheckpointContext) => T | Promise<T>,
    options: CheckpointOptions,
  ): Promise<T> {
    const { id, existing } = call;
    const delivery = options.delivery ?? 'at-least-once';
    const durable = options.durable ?? true;
    const parent = scope.call;
    let record: CheckpointRecord = {
      executionId: this.executionId,
      id,
      parentId: scope.checkpointId,
      name: call.name,
      kind: call.kind,
      status: 'running',
      seq: call.seq,
      attempts: existing?.attempts ?? 0,
      delivery,
      durable,
      session: this.number,
      ...this.#versionField(),
      ...(options.ordered === false ? { ordered: false } : {}),
      startedAt: existing?.startedAt ?? Date.now(),
      ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
    const state = new Call(id, parent, record);
    this.#inFlight.add(state);
    this.#replaying = false;
    this.#telemetry.checkpointStarted(state);
    let failure: unknown;
    try {
      if (existing?.status === 'running' && this.#history.wasInterrupted(id) && delivery === 'at-most-once') {
        await this.#decideUnfinished(state, existing);
      }
      await this.#checkCancelled();
      if (options.input !== undefined && !existing?.input) {
        const captured = await this.#capture(options.input, call.name, call.kind);
        if (captured) record = { ...record, input: captured };
      }
      const retries = options.retries ?? 0;
      for (let attemptInCall = 1; ; attemptInCall++) {
        if (this.#ended) throw new SessionEndedError({ executionId: this.executionId });
        const attempt = record.attempts + 1;
        // A new attempt: what the previous one ended with does not describe it.
        const { error: _error, endedAt: _endedAt, ...previous } = record;
        record = { ...previous, status: 'running', attempts: attempt };
        state.record = record;
        await this.#putCheckpoint(record);
        try {
          const { value, metadata } = await this.#attempt(state, fn, attempt, options.timeout);
          if (metadata) record = { ...record, metadata: { ...record.metadata, ...metadata } };
          if (call.kind === 'model') record = await this.#withCost(record);
          const endedAt = Date.now();
          if (durable) {
            const output = encodePayload(value, `the output of checkpoint "${id}"`);
            await this.store.putBlob(output.ref.hash, output.text);
            record = { ...record, status: 'completed', output: output.ref, endedAt };
          } else {
            record = { ...record, status: 'completed', endedAt };
          }
          state.record = record;
          await this.#putCheckpoint(record);
          this.#history.set(id, record);
          if (call.kind === 'model') await this.#budget.spend(record);
          return value;
        } catch (error) {
          // Nothing more is written once the session ended, lost its lease, or lost its store.
          if (this.#ended || this.#writesStopped()) throw error;
          const haltedHere = this.#halt !== null && this.#halt.reason !== 'suspended';
          const retryOn = options.retryOn ?? isRetryable;
          if (!haltedHere && attemptInCall <= retries && isRetryable(error) && retryOn(error)) {
            await this.#sleep(backoffDelay(options.backoff, attemptInCall, error));
            continue;
          }
          record = { ...record, status: 'failed', error: await toErrorRecord(this.store, error), endedAt: Date.now() };
          state.record = record;
          await this.#putCheckpoint(record);
          this.#history.set(id, record);
          throw error;
        }
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.#telemetry.checkpointEnded(state, failure);
      this.#inFlight.delete(state);
      this.#notify();
    }
  }

  /** A model call's record with its estimated cost at list price (`cost`), when it counted tokens. */
  async #withCost(record: CheckpointRecord): Promise<CheckpointRecord> {
    if (!modelUsageOf(record.metadata)) return record;
    // The call succeeded: a price table that cannot be read leaves its cost unknown, never fails it.
    const cost = await estimateCallCost(record.metadata).catch((): ModelCost => ({ usd: null, prices: priceTable }));
    return { ...record, metadata: { ...record.metadata, cost } };
  }

  /** A streamed call as a checkpoint (see {@link recordedStream}). */
  runStream<Part>(
    scope: Scope,
    name: string,
    start: (context: CheckpointContext) => AsyncIterable<Part> | Promise<AsyncIterable<Part>>,
    options: CheckpointOptions,
  ): AsyncIterable<Part> {
    return recordedStream((collect) => this.runCheckpoint(scope, name, collect, { ...options, retries: 0 }), start);
  }

  async #attempt<T>(
    state: Call,
    fn: (context: CheckpointContext) => T | Promise<T>,
    attempt: number,
    timeout: number | undefined,
  ): Promise<{ value: T; metadata: Record<string, unknown> | undefined }> {
    const controller = new AbortController();
    const onSessionAbort = () => controller.abort(this.controller.signal.reason);
    this.controller.signal.addEventListener('abort', onSessionAbort, { once: true });
    let metadata: Record<string, unknown> | undefined;
    const context: CheckpointContext = {
      executionId: this.executionId,
      checkpointId: state.id,
      attempt,
      idempotencyKey: `${this.executionId}:${state.id}`,
      signal: controller.signal,
      setMetadata: (fields) => {
        metadata = { ...metadata, ...fields };
      },
    };
    const child = new Scope(this, state.id, state);
    let timer: NodeJS.Timeout | undefined;
    try {
      const running = this.#telemetry.runInCheckpoint(state, () => runInScope(child, async () => fn(context)));
      const value =
        timeout === undefined
          ? await running
          : await Promise.race([
              running,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                  const error = new CheckpointTimeoutError({ checkpointId: state.id, timeoutMs: timeout });
                  controller.abort(error);
                  reject(error);
                }, timeout);
              }),
            ]);
      return { value, metadata };
    } finally {
      clearTimeout(timer);
      this.controller.signal.removeEventListener('abort', onSessionAbort);
    }
  }

  /**
   * An at-most-once call was interrupted: running it again could repeat its effect, so the
   * execution waits for a person (or service) to decide, through an ordinary wait.
   */
  async #decideUnfinished(state: Call, existing: CheckpointRecord): Promise<void> {
    const waitId = `${existing.id}#decision:${existing.attempts}`;
    const wait = await this.store.getWait(this.executionId, waitId);
    if (wait?.status === 'resolved' && wait.input) {
      const decision = await loadPayload(this.store, wait.input);
      if (decision === 'rerun') return;
      throw new UnfinishedCallError({ executionId: this.executionId, checkpointId: existing.id });
    }
    if (!wait) {
      await this.#putWait({
        executionId: this.executionId,
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
    await this.#suspend(new Scope(this, state.id, state));
  }

  #currentVersion(): { codeVersion?: string } {
    return this.codeVersion === undefined ? {} : { codeVersion: this.codeVersion };
  }

  /** Records name their code version only when it is not the execution's own (a compatible version continued it). */
  #versionField(): { codeVersion?: string } {
    return this.codeVersion === this.execution.codeVersion || this.codeVersion === undefined ? {} : { codeVersion: this.codeVersion };
  }

  /** The model requests this session stored, as chains a next request of their conversation extends. */
  readonly #conversations = new ConversationChains();

  async #capture(value: unknown, name: string, kind: CheckpointKind) {
    const capture = resolveCapture(this.host.capture, name, kind);
    if (capture.level !== 'full') return undefined;
    const redacted = capture.redact ? capture.redact(value, { name, kind }) : value;
    const subject = `the captured input of "${name}"`;
    return kind === 'model' ? this.#conversations.store(this.store, redacted, subject) : storePayload(this.store, redacted, subject);
  }

  // ── patches and waits ─────────────────────────────────────────────────────────────────────

  /** `patched(patchId)` in `scope` (see {@link PatchMarkers}). */
  patched(scope: Scope, patchId: string): boolean {
    return this.#patches.decide(scope, patchId);
  }

  /** `wait()` inside this session: the recorded input, or a suspension until input arrives. */
  runWait<Schema extends z.ZodType>(scope: Scope, name: string, options: WaitOptions<Schema>): Promise<z.output<Schema>> {
    if (this.#halt) return this.#afterHalt();
    return this.#telemetry.wait(scope.call, name, () => runWait(this.#internals, scope, name, options));
  }

  /** Stops this session at a wait: the calls around it are blocked, and nothing after it runs. */
  #suspend(scope: Scope): Promise<never> {
    for (let call = scope.call; call; call = call.parent) call.blocked = true;
    if (!this.#halt) {
      this.#halt = { reason: 'suspended' };
      this.#signalHalt();
    }
    this.#notify();
    return never;
  }

  async #markBlockedCallsWaiting(): Promise<void> {
    for (const call of this.#inFlight) {
      if (call.blocked && call.recordAsWaiting && this.#halt?.reason === 'suspended') {
        await this.#putCheckpoint({ ...call.record, status: 'waiting' });
      }
    }
  }

  // ── cancellation, leases, halting ─────────────────────────────────────────────────────────

  /** Cancels the execution: the signal aborts, and the next checkpoint throws. */
  cancel(): void {
    if (this.#halt?.reason === 'cancelled' || this.#writesStopped()) return;
    this.#halt = { reason: 'cancelled' };
    this.controller.abort(new ExecutionCancelledError({ executionId: this.executionId }));
    this.#signalHalt();
    this.#notify();
  }

  #afterHalt<T>(): Promise<T> {
    if (this.#halt?.reason === 'suspended') return never;
    return Promise.reject(this.controller.signal.reason ?? new ExecutionCancelledError({ executionId: this.executionId }));
  }

  async #checkCancelled(): Promise<void> {
    if (!this.#halt) await this.#lease.look();
    if (this.#halt && this.#halt.reason !== 'suspended') throw this.controller.signal.reason;
  }

  /** Stops the session: the execution, as read (`current`) or as the store refusing a write said, is another's now. */
  #loseLease(cause: ExecutionRecord | LeaseLostError): void {
    if (this.#writesStopped()) return;
    const error = LeaseLostError.isInstance(cause)
      ? cause
      : cause.lease
        ? new ExecutionLeasedError({ executionId: this.executionId, lease: cause.lease })
        : new ExecutionStateError({
            executionId: this.executionId,
            status: cause.status,
            operation: 'keep running',
            hint: 'It lost its lease; this process stopped running it.',
          });
    this.#halt = { reason: 'lease-lost', error };
    this.controller.abort(error);
    this.#signalHalt();
    this.#notify();
  }

  /** Whether the session stopped writing: its lease was lost, or its store failed. */
  #writesStopped(): boolean {
    return this.#halt?.reason === 'lease-lost' || this.#halt?.reason === 'store-failed';
  }

  /**
   * Stops the session after a write to the store failed (it stayed unreachable past its retries):
   * what the session does next could not be recorded, and recording the failure itself (the call's,
   * or the flow's, once the store is back) would fail an execution that only lost its store for a
   * while. So it writes nothing more, as if the process had died: the execution keeps its lease until
   * it expires, and a worker continues it, re-running the call whose result was not recorded.
   */
  #stopWriting(error: Error): void {
    if (this.#writesStopped()) return;
    this.#halt = { reason: 'store-failed', error };
    this.controller.abort(error);
    this.#signalHalt();
    this.#notify();
  }

  /** Updates this session's execution with compare-and-set (see {@link ExecutionLease.update}). */
  updateExecution(patch: ExecutionPatch): Promise<void> {
    return this.#lease.update(patch);
  }

  async #settleInFlight(): Promise<void> {
    for (;;) {
      const working = [...this.#inFlight].filter((call) => !call.blocked);
      if (working.length === 0) return;
      await new Promise<void>((resolve) => (this.#changed = resolve));
    }
  }

  #notify(): void {
    const changed = this.#changed;
    this.#changed = null;
    changed?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0 || this.controller.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      const signal = this.controller.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  // ── logs and artifacts ────────────────────────────────────────────────────────────────────

  /** Queues a log line tied to a checkpoint (see {@link SessionLog}). */
  log(level: LogLevel, message: string, fields: Record<string, unknown> | undefined, checkpointId: string | null): void {
    this.#log.write(level, message, fields, checkpointId);
  }

  /** Saves a named artifact of this execution (replacing one of the same name). */
  async save(name: string, value: unknown, type: string | undefined, checkpointId: string | null): Promise<void> {
    const payload = await storePayload(this.store, value, `artifact "${name}"`);
    const artifact = { executionId: this.executionId, name, type: type ?? artifactTypeOf(value), payload, checkpointId, createdAt: Date.now() };
    await this.store.putArtifact(artifact, this.fence);
  }
}
