import type { z } from 'zod';
import type { BlobWrite, CheckpointKind, CheckpointRecord, ExecutionPatch, ExecutionRecord, LeaseFence, LogLevel, WaitRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { DivergenceSide } from '../errors/divergence-error.js';
import { ExecutionCancelledError } from '../errors/execution-cancelled-error.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import { ReplayMissError } from '../errors/replay-miss-error.js';
import { SessionEndedError } from '../errors/session-ended-error.js';
import { SessionHalt } from './session-halt.js';
import { recordOutcome, type Outcome, type OutcomeHost } from './session-outcome.js';
import { storePayload } from '../serialization/payloads.js';
import { ConversationChains } from '../serialization/conversation-chains.js';
import { artifactTypeOf } from './artifact-type.js';
import { Call } from './call.js';
import { CheckpointWriter } from './checkpoint-writer.js';
import { LiveCalls } from './live-calls.js';
import { answerTool } from './tool-answer.js';
import { ExecutionLease } from './execution-lease.js';
import { ReplayHistory } from './replay-history.js';
import { Scope, runInScope } from './scope.js';
import type { SessionInternals } from './session-internals.js';
import { SessionLog } from './session-log.js';
import { SessionBudget } from './session-budget.js';
import { runWait } from './session-waits.js';
import { PatchMarkers } from './patch-markers.js';
import { resolveCapture } from './capture.js';
import { recordedStream } from './recorded-stream.js';
import { watchingFailures } from './store-failures.js';
import type { ActiveChange } from './recorded-answers.js';
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
  readonly controller: AbortController;

  readonly #history: ReplayHistory;
  readonly #lease: ExecutionLease;
  readonly #log: SessionLog;

  readonly #halt: SessionHalt;
  /** True until this session does something an earlier one did not: runs a call live or opens a wait. */
  #replaying: boolean;
  /** Set once the session recorded its outcome: from then on it writes nothing. */
  #ended = false;
  readonly #inFlight = new Set<Call>();
  #changed: (() => void) | null = null;
  readonly #internals: SessionInternals;
  readonly #patches: PatchMarkers;
  readonly #budget: SessionBudget;
  readonly #writer: CheckpointWriter;
  readonly #live: LiveCalls;

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
    this.#halt = new SessionHalt(execution.id, () => this.#notify());
    this.controller = this.#halt.controller;
    const leaseStore = store;
    store = this.store = watchingFailures(store, (error) => this.#storeFailed(error));
    this.#history = new ReplayHistory(store, execution, records);
    this.#replaying = this.#history.recordedAnything;
    this.#lease = new ExecutionLease(leaseStore, host, execution, {
      cancelRequested: () => this.cancel(),
      leaseLost: (cause) => {
        this.#halt.loseLease(cause);
        return this.controller.signal.reason as Error;
      },
      stopped: () => this.#halt.stopped,
    });
    this.#writer = new CheckpointWriter({
      store,
      fence: this.#lease.fence,
      beforeWrite: () => this.#confirmLease(),
      cancelRequested: () => this.cancel(),
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
      canWrite: () => !this.#halt.current && !this.#ended,
      versionField: () => this.#versionField(),
      currentVersion: () => this.#currentVersion(),
      writeCheckpoints: (records, blobs) => this.#writeCheckpoints(records, blobs),
      deferCheckpoint: (record, blobs) => this.#writer.defer(record, blobs),
      putWait: (record) => this.#putWait(record),
      recordedWait: (id) => change?.answers.wait(id),
      suspend: (scope) => this.#suspend(scope),
    };
    this.#patches = new PatchMarkers(this.#internals);
    this.#budget = new SessionBudget(store, execution, records);
    const operation = mode === 'retry' ? 'retry' : execution.sessions > 1 ? 'resume' : execution.replayOf ? 'replay' : 'run';
    this.#telemetry = new SessionTelemetry(execution, operation, codeVersion);
    this.#live = new LiveCalls({
      ...this.#internals,
      session: this,
      controller: this.controller,
      telemetry: this.#telemetry,
      budget: this.#budget,
      inFlight: this.#inFlight,
      ended: () => this.#ended,
      writesStopped: () => this.#halt.writesStopped,
      halted: () => this.#halt.stopped,
      throwIfHalted: () => this.#halt.throwIfStopped(),
      confirmLease: () => this.#confirmLease(),
      capture: (value, name, kind) => this.#capture(value, name, kind),
      sleep: (ms) => this.#sleep(ms),
      notify: () => this.#notify(),
    });
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
      this.#telemetry.ended(this.#halt.current?.reason === 'lease-lost' ? 'lease-lost' : 'failed', error);
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
    const finished: Promise<Outcome> = this.#telemetry
      .activate(() => runInScope(root, async () => body(input)))
      .then(
        (value): Outcome => ({ kind: 'returned', value }),
        (error: unknown): Outcome => ({ kind: 'threw', error }),
      );
    let outcome = await Promise.race([finished, this.#halt.halted.then((): Outcome => ({ kind: 'halted' }))]);
    if (outcome.kind === 'threw' && ExecutionCancelledError.isInstance(outcome.error)) {
      this.cancel();
      outcome = { kind: 'halted' };
    }
    await this.#settleInFlight();
    try {
      if (!this.#halt.writesStopped) await this.#log.flush();
      await this.#markBlockedCallsWaiting();
      // Deferred records (patch markers) are stored before the outcome is.
      if (!this.#halt.writesStopped) await this.#writer.flush();
      this.#ended = true;
      this.#writer.close();
      return await recordOutcome<Output>(this.#outcomeHost(), outcome);
    } finally {
      this.#writer.close();
      this.#lease.stopHeartbeat();
    }
  }

  /** What {@link recordOutcome} uses of this session. */
  #outcomeHost(): OutcomeHost {
    return {
      executionId: this.executionId,
      flow: this.execution.flow,
      store: this.store,
      fence: this.fence,
      halt: this.#halt.current,
      updateExecution: (patch) => this.updateExecution(patch),
    };
  }

  // ── checkpoints ───────────────────────────────────────────────────────────────────────────

  /**
   * Writes checkpoint records and the blobs they reference in one store write (with the records
   * deferred so far: see {@link CheckpointWriter}), unless this session already ended: a call left
   * blocked at a wait may settle later (an adapter stopping the harness), and its late record must not
   * change what the next session replays.
   */
  #writeCheckpoints(records: readonly CheckpointRecord[], blobs?: readonly BlobWrite[]): Promise<void> {
    if (this.#ended) return Promise.reject(new SessionEndedError({ executionId: this.executionId }));
    return this.#writer.write(records, blobs);
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
    if (LeaseLostError.isInstance(error)) this.#halt.loseLease(error);
    else this.#halt.stopWriting(error instanceof Error ? error : new Error(String(error)));
  }

  /**
   * Throws if this session's lease may have passed to another process. While the lease as last renewed
   * has not expired, nobody may take it, so no read is needed; past its expiry (this process was
   * frozen, or its renewals failed) another worker may have taken over, so the store is asked before
   * anything is written over what that worker recorded.
   */
  async #confirmLease(): Promise<void> {
    const halt = this.#halt.current;
    if (halt?.reason === 'lease-lost') throw halt.error;
    const lease = this.execution.lease;
    if (lease && lease.owner === this.host.ownerId && lease.expiresAt > Date.now()) return;
    const current = await this.store.getExecution(this.executionId);
    if (current && current.lease?.owner !== this.host.ownerId) {
      this.#halt.loseLease(current);
      throw this.controller.signal.reason;
    }
  }

  /** Runs `fn` as the checkpoint `name` in `scope`, or returns what an earlier session recorded. */
  runCheckpoint<T>(scope: Scope, name: string, fn: (context: CheckpointContext) => T | Promise<T>, options: CheckpointOptions): Promise<T> {
    if (this.#halt.current) return this.#halt.after();
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
      return answerTool(this, this.#live, scope, { id, name, kind, seq: this.#history.nextSeq(), existing }, fn, options);
    } else if (this.hermetic) {
      return Promise.reject(new ReplayMissError({ executionId: this.executionId, checkpointId: id, kind }));
    }
    const seq = existing?.seq ?? this.#history.nextSeq();
    if (kind === 'model') {
      // Only a call about to be made live is checked: reused ones cost nothing now.
      return this.#budget
        .beforeLiveCall(scope, id, (waitScope, waitName, waitOptions) => this.runWait(waitScope, waitName, waitOptions))
        .then(() => this.#live.run(scope, { id, name, kind, seq, existing }, fn, options));
    }
    return this.#live.run(scope, { id, name, kind, seq, existing }, fn, options);
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
    if (this.#halt.current) return this.#halt.after();
    return this.#telemetry.wait(scope.call, name, () => runWait(this.#internals, scope, name, options));
  }

  /** Stops this session at a wait: the calls around it are blocked, and nothing after it runs. */
  #suspend(scope: Scope): Promise<never> {
    for (let call = scope.call; call; call = call.parent) call.blocked = true;
    this.#halt.suspend();
    return new Promise<never>(() => {});
  }

  async #markBlockedCallsWaiting(): Promise<void> {
    for (const call of this.#inFlight) {
      if (call.blocked && call.recordAsWaiting && this.#halt.current?.reason === 'suspended') {
        await this.#writeCheckpoints([{ ...call.record, status: 'waiting' }]);
      }
    }
  }

  // ── cancellation, leases, halting ─────────────────────────────────────────────────────────

  /** Cancels the execution: the signal aborts, and the next checkpoint throws. */
  cancel(): void {
    this.#halt.cancel();
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
