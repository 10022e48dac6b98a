import type { z } from 'zod';
import type {
  CheckpointKind,
  CheckpointRecord,
  ExecutionPatch,
  ExecutionRecord,
  LogLevel,
  LogRecord,
  WaitRecord,
} from '../store/records.js';
import type { Store } from '../store/store.js';
import { DivergenceError, type DivergenceSide } from '../errors/divergence-error.js';
import { ExecutionCancelledError } from '../errors/execution-cancelled-error.js';
import { ExecutionLeasedError } from '../errors/execution-leased-error.js';
import { ExecutionNotFoundError } from '../errors/execution-not-found-error.js';
import { CheckpointTimeoutError } from '../errors/checkpoint-timeout-error.js';
import { ReplayMissError } from '../errors/replay-miss-error.js';
import { UnfinishedCallError } from '../errors/unfinished-call-error.js';
import { WaitTimeoutError } from '../errors/wait-timeout-error.js';
import { encodePayload, loadPayload, storeConversationPayload, storePayload } from '../serialization/payloads.js';
import { fromErrorRecord, toErrorRecord } from './error-records.js';
import { leaseFor } from './lease.js';
import { backoffDelay, isRetryable } from './retry-policy.js';
import { Scope, runInScope } from './scope.js';
import { toStoredSchema, zodIssues } from './wait-schema.js';
import { resolveCapture } from './capture.js';
import { PartChannel } from './part-channel.js';
import { fingerprintsConflict } from './request-fingerprint.js';
import type { CapturePolicy, CheckpointContext, CheckpointOptions, PendingWait, RunResult, WaitOptions } from './types.js';

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

/** A call that is running in this session. */
export class Call {
  /** True while the call (or a call inside it) is stopped at a wait and will not finish in this session. */
  blocked = false;
  /** Whether a suspension records this call as `waiting` (an interrupted at-most-once call stays `running`). */
  recordAsWaiting = true;
  constructor(
    readonly id: string,
    readonly parent: Call | null,
    public record: CheckpointRecord,
  ) {}
}

type Halt = { readonly reason: 'suspended' } | { readonly reason: 'cancelled' } | { readonly reason: 'lease-lost'; readonly error: Error };

const never = new Promise<never>(() => {});

/** Raised inside a call that outlived its session; nobody awaits it, it only stops the call's work. */
class SessionEndedError extends Error {
  constructor(executionId: string) {
    super(`The session of execution "${executionId}" already ended; this late call is not recorded.`);
    this.name = 'SessionEndedError';
  }
}

/** How often a running session looks for a cancel request from another process. */
const cancelPollMs = 1000;

/** How many stored outputs a resumed session reads ahead of the flow. */
const prefetchWindow = 32;

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

  #execution: ExecutionRecord;
  readonly #records = new Map<string, CheckpointRecord>();
  /** Records of earlier sessions under each parent (`''` for flow scope), in start order. */
  readonly #recordedChildren = new Map<string, CheckpointRecord[]>();
  readonly #completedPrefixes = new Map<string, number>();
  /** Ids that earlier sessions started and never finished: interrupted by a crash. */
  readonly #interrupted = new Set<string>();
  /** Ids whose failure an earlier session recorded: replayed as failures unless this is a retry. */
  readonly #failedBefore = new Set<string>();
  #nextSeq = 0;
  /** Completed outputs not read ahead yet, in record order, and those being read. */
  readonly #toPrefetch: CheckpointRecord[] = [];
  readonly #prefetched = new Map<string, Promise<unknown>>();

  #halt: Halt | null = null;
  /** True until this session does something an earlier one did not: runs a call live or opens a wait. */
  #replaying: boolean;
  /** Set once the session recorded its outcome: from then on it writes nothing. */
  #ended = false;
  readonly #halted: Promise<void>;
  #signalHalt!: () => void;
  readonly #inFlight = new Set<Call>();
  #changed: (() => void) | null = null;
  readonly #suspendedWaits: WaitRecord[] = [];

  #logs: LogRecord[] = [];
  #logFlush: Promise<void> = Promise.resolve();
  #executionWrites: Promise<unknown> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #positionalChecks: boolean;

  constructor(
    readonly host: SessionHost,
    readonly store: Store,
    execution: ExecutionRecord,
    records: readonly CheckpointRecord[],
    readonly mode: SessionMode,
    readonly hermetic: boolean,
  ) {
    this.executionId = execution.id;
    this.number = execution.sessions;
    this.#execution = execution;
    for (const record of records) {
      this.#records.set(record.id, record);
      if (record.ordered !== false) {
        const siblings = this.#recordedChildren.get(record.parentId ?? '');
        if (siblings) siblings.push(record);
        else this.#recordedChildren.set(record.parentId ?? '', [record]);
      }
      if (record.status === 'running') this.#interrupted.add(record.id);
      if (record.status === 'failed') this.#failedBefore.add(record.id);
      this.#nextSeq = Math.max(this.#nextSeq, record.seq + 1);
    }
    for (const record of [...this.#records.values()].sort((a, b) => a.seq - b.seq)) {
      if (record.status === 'completed' && record.durable && record.output) this.#toPrefetch.push(record);
    }
    this.#prefetch();
    this.#replaying = records.length > 0;
    // A replay reuses a subset of the original's records, so positions there do not line up.
    this.#positionalChecks = execution.replayOf === undefined;
    this.#halted = new Promise((resolve) => (this.#signalHalt = resolve));
  }

  get execution(): ExecutionRecord {
    return this.#execution;
  }

  // ── the body ──────────────────────────────────────────────────────────────────────────────

  /** Runs the flow body to its end (or to a wait) and records the outcome. */
  async execute<Output>(body: (input: unknown) => unknown, input: unknown): Promise<RunResult<Output>> {
    this.#startHeartbeat();
    const root = new Scope(this, null);
    type Outcome = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'halted' };
    const finished: Promise<Outcome> = runInScope(root, async () => body(input)).then(
      (value): Outcome => ({ kind: 'returned', value }),
      (error: unknown): Outcome => ({ kind: 'threw', error }),
    );
    let outcome = await Promise.race([finished, this.#halted.then((): Outcome => ({ kind: 'halted' }))]);
    if (outcome.kind === 'threw' && ExecutionCancelledError.isInstance(outcome.error)) {
      this.cancel();
      outcome = { kind: 'halted' };
    }
    await this.#settleInFlight();
    await this.#flushLogs();
    try {
      await this.#markBlockedCallsWaiting();
      this.#ended = true;
      return await this.#finish<Output>(outcome);
    } finally {
      clearInterval(this.#heartbeat);
    }
  }

  async #finish<Output>(
    outcome: { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'halted' },
  ): Promise<RunResult<Output>> {
    const halt = this.#halt;
    if (halt?.reason === 'lease-lost') throw halt.error;
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
        output = encodePayload(outcome.value, `the output of flow "${this.#execution.flow}"`);
      } catch (error) {
        return this.#fail(error);
      }
      await this.store.putBlob(output.ref.hash, output.text);
      await this.store.putArtifact({
        executionId: this.executionId,
        name: 'output',
        type: artifactTypeOf(outcome.value),
        payload: output.ref,
        checkpointId: null,
        createdAt: now,
      });
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
    if (this.#ended) throw new SessionEndedError(this.executionId);
    await this.store.putCheckpoint(record);
  }

  /** Runs `fn` as the checkpoint `name` in `scope`, or returns what an earlier session recorded. */
  runCheckpoint<T>(scope: Scope, name: string, fn: (context: CheckpointContext) => T | Promise<T>, options: CheckpointOptions): Promise<T> {
    if (this.#halt) return this.#afterHalt();
    const kind = options.kind ?? 'step';
    const id = scope.nextId(name, options.key);
    const current: DivergenceSide = { id, name, kind, ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}) };
    try {
      if (options.ordered !== false) this.#checkPosition(scope, current);
    } catch (error) {
      return Promise.reject(error);
    }
    const existing = this.#records.get(id);
    if (existing) {
      try {
        this.#checkSameCall(existing, current);
      } catch (error) {
        return Promise.reject(error);
      }
      if (existing.status === 'completed' && existing.durable) return this.#recordedOutput(existing) as Promise<T>;
      if (existing.status === 'failed' && existing.error && this.mode === 'run' && this.#failedBefore.has(id)) {
        return this.#recordedFailure(existing);
      }
    } else if (this.hermetic) {
      return Promise.reject(new ReplayMissError({ executionId: this.executionId, checkpointId: id, kind }));
    }
    const seq = existing?.seq ?? this.#nextSeq++;
    return this.#runLive(scope, { id, name, kind, seq, existing }, fn, options);
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
      ...(options.ordered === false ? { ordered: false } : {}),
      startedAt: existing?.startedAt ?? Date.now(),
      ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
    const state = new Call(id, parent, record);
    this.#inFlight.add(state);
    this.#replaying = false;
    try {
      if (existing?.status === 'running' && this.#interrupted.has(id) && delivery === 'at-most-once') {
        await this.#decideUnfinished(state, existing);
      }
      await this.#checkCancelled();
      if (options.input !== undefined && !existing?.input) {
        const captured = await this.#capture(options.input, call.name, call.kind);
        if (captured) record = { ...record, input: captured };
      }
      const retries = options.retries ?? 0;
      for (let attemptInCall = 1; ; attemptInCall++) {
        if (this.#ended) throw new SessionEndedError(this.executionId);
        const attempt = record.attempts + 1;
        // A new attempt: what the previous one ended with does not describe it.
        const { error: _error, endedAt: _endedAt, ...previous } = record;
        record = { ...previous, status: 'running', attempts: attempt };
        state.record = record;
        await this.#putCheckpoint(record);
        try {
          const { value, metadata } = await this.#attempt(state, fn, attempt, options.timeout);
          if (metadata) record = { ...record, metadata: { ...record.metadata, ...metadata } };
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
          this.#records.set(id, record);
          return value;
        } catch (error) {
          if (this.#ended) throw error;
          const haltedHere = this.#halt !== null && this.#halt.reason !== 'suspended';
          const retryOn = options.retryOn ?? isRetryable;
          if (!haltedHere && attemptInCall <= retries && isRetryable(error) && retryOn(error)) {
            await this.#sleep(backoffDelay(options.backoff, attemptInCall, error));
            continue;
          }
          record = { ...record, status: 'failed', error: await toErrorRecord(this.store, error), endedAt: Date.now() };
          state.record = record;
          if (this.#halt?.reason !== 'lease-lost') await this.#putCheckpoint(record);
          this.#records.set(id, record);
          throw error;
        }
      }
    } finally {
      this.#inFlight.delete(state);
      this.#notify();
    }
  }

  /**
   * A streamed call as a checkpoint: live, its parts reach the consumer as they come and are stored
   * once the stream ended; on replay the stored parts come back as an equivalent stream. A stream cut
   * short (a crash, an error, a consumer that stopped reading) is not recorded as completed, so it
   * runs again rather than being half-replayed. Streams are not retried here: parts already given to
   * the consumer cannot be taken back.
   */
  runStream<Part>(
    scope: Scope,
    name: string,
    start: (context: CheckpointContext) => AsyncIterable<Part> | Promise<AsyncIterable<Part>>,
    options: CheckpointOptions,
  ): AsyncIterable<Part> {
    const channel = new PartChannel<Part>();
    let stopped = false;
    const collect = async (context: CheckpointContext): Promise<Part[]> => {
      const parts: Part[] = [];
      for await (const part of await start(context)) {
        if (stopped) throw new Error(`The stream of "${context.checkpointId}" was not read to its end; it will run again.`);
        parts.push(part);
        channel.push(part);
      }
      return parts;
    };
    const result = this.runCheckpoint(scope, name, collect, { ...options, retries: 0 });
    let live = true;
    result.then(
      (parts) => {
        // A replayed call never ran `collect`: hand its stored parts to the consumer now.
        if (channel.pushed === 0 && parts.length > 0) for (const part of parts) channel.push(part);
        live = false;
        channel.end();
      },
      (error: unknown) => channel.fail(error),
    );
    return {
      [Symbol.asyncIterator]: () => {
        const iterator = channel[Symbol.asyncIterator]();
        return {
          next: () => iterator.next(),
          return: async () => {
            if (live) stopped = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
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
      const running = runInScope(child, async () => fn(context));
      const value = timeout === undefined
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
      await this.store.putWait({
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

  #checkPosition(scope: Scope, current: DivergenceSide): void {
    const position = scope.position++;
    if (!this.#positionalChecks) return;
    const siblings = this.#recordedChildren.get(scope.checkpointId ?? '');
    if (!siblings) return;
    // Only the prefix of completed calls is binding: after a failure or an interruption the code may
    // legitimately take another path.
    if (position >= this.#completedPrefix(scope.checkpointId ?? '', siblings)) return;
    const recorded = siblings[position]!;
    if (recorded.id !== current.id) {
      throw new DivergenceError({
        executionId: this.executionId,
        recorded: sideOf(recorded),
        current,
        reason: `call #${position + 1} ${scope.checkpointId ? `inside "${scope.checkpointId}"` : 'of the flow'} is not the recorded one`,
      });
    }
  }

  /** How many of a parent's recorded calls, from the first, completed: computed once per parent. */
  #completedPrefix(parent: string, siblings: readonly CheckpointRecord[]): number {
    let length = this.#completedPrefixes.get(parent);
    if (length === undefined) {
      length = siblings.findIndex((record) => record.status !== 'completed');
      if (length === -1) length = siblings.length;
      this.#completedPrefixes.set(parent, length);
    }
    return length;
  }

  #checkSameCall(recorded: CheckpointRecord, current: DivergenceSide): void {
    let reason: string | undefined;
    if (recorded.name !== current.name) reason = `the call at "${current.id}" has another name`;
    else if (recorded.kind !== current.kind) reason = `the call at "${current.id}" is of another kind`;
    else if (fingerprintsConflict(recorded.fingerprint, current.fingerprint)) {
      reason = `the call at "${current.id}" was made with another request`;
    }
    if (reason) throw new DivergenceError({ executionId: this.executionId, recorded: sideOf(recorded), current, reason });
  }

  async #recordedOutput(record: CheckpointRecord): Promise<unknown> {
    if (!record.output) return undefined;
    const prefetched = this.#prefetched.get(record.id);
    if (prefetched) {
      this.#prefetched.delete(record.id);
      this.#prefetch();
      return prefetched;
    }
    return loadPayload(this.store, record.output);
  }

  /**
   * A resumed body asks for stored outputs one after another, in record order. Reading the next ones
   * ahead, a few at a time, turns thousands of sequential store round trips into a pipeline.
   */
  #prefetch(): void {
    while (this.#prefetched.size < prefetchWindow && this.#toPrefetch.length) {
      const record = this.#toPrefetch.shift()!;
      const loading = loadPayload(this.store, record.output!);
      loading.catch(() => {}); // Surfaced when the flow asks for it.
      this.#prefetched.set(record.id, loading);
    }
  }

  async #recordedFailure(record: CheckpointRecord): Promise<never> {
    throw await fromErrorRecord(this.store, record.error!);
  }

  async #capture(value: unknown, name: string, kind: CheckpointKind) {
    const capture = resolveCapture(this.host.capture, name, kind);
    if (capture.level !== 'full') return undefined;
    const redacted = capture.redact ? capture.redact(value, { name, kind }) : value;
    const subject = `the captured input of "${name}"`;
    return kind === 'model' ? storeConversationPayload(this.store, redacted, subject) : storePayload(this.store, redacted, subject);
  }

  // ── waits ─────────────────────────────────────────────────────────────────────────────────

  /** `wait()` inside this session: the recorded input, or a suspension until input arrives. */
  runWait<Schema extends z.ZodType>(scope: Scope, name: string, options: WaitOptions<Schema>): Promise<z.output<Schema>> {
    if (this.#halt) return this.#afterHalt();
    const id = scope.nextId(name, options.key);
    const current: DivergenceSide = { id, name, kind: 'wait' };
    try {
      if (options.ordered !== false) this.#checkPosition(scope, current);
      const existing = this.#records.get(id);
      if (existing) {
        this.#checkSameCall(existing, current);
        if (existing.status === 'completed') return this.#recordedOutput(existing) as Promise<z.output<Schema>>;
        if (existing.status === 'failed' && existing.error && this.#failedBefore.has(id)) return this.#recordedFailure(existing);
      } else if (this.hermetic) {
        throw new ReplayMissError({ executionId: this.executionId, checkpointId: id, kind: 'wait' });
      }
      const seq = existing?.seq ?? this.#nextSeq++;
      return this.#openWait(scope, { id, name, seq, existing }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #openWait<Schema extends z.ZodType>(
    scope: Scope,
    call: { id: string; name: string; seq: number; existing: CheckpointRecord | undefined },
    options: WaitOptions<Schema>,
  ): Promise<z.output<Schema>> {
    const { id } = call;
    const now = Date.now();
    this.#replaying = false;
    const base: CheckpointRecord = {
      executionId: this.executionId,
      id,
      parentId: scope.checkpointId,
      name: call.name,
      kind: 'wait',
      status: 'waiting',
      seq: call.seq,
      attempts: 1,
      delivery: 'at-least-once',
      durable: true,
      session: this.number,
      ...(options.ordered === false ? { ordered: false } : {}),
      startedAt: call.existing?.startedAt ?? now,
    };
    let wait = await this.store.getWait(this.executionId, id);
    if (wait?.status === 'resolved' && wait.input) {
      const parsed = options.schema.safeParse(await loadPayload(this.store, wait.input));
      if (parsed.success) {
        const output = encodePayload(parsed.data, `the input of wait "${id}"`);
        await this.store.putBlob(output.ref.hash, output.text);
        const record: CheckpointRecord = {
          ...base,
          status: 'completed',
          output: output.ref,
          endedAt: Date.now(),
          ...(wait.resolvedBy ? { metadata: { resolvedBy: wait.resolvedBy } } : {}),
        };
        await this.#putCheckpoint(record);
        this.#records.set(id, record);
        return parsed.data;
      }
      // The input passed the stored JSON Schema but not the flow's own schema (a refinement, say):
      // it is refused here, where the code is, and the question is asked again.
      wait = {
        ...stripResolution(wait),
        status: 'pending',
        metadata: { ...wait.metadata, refusedInput: { issues: zodIssues(parsed.error), at: now } },
      };
      await this.store.putWait(wait);
    }
    if (wait?.status === 'timed-out' || (wait?.status === 'pending' && wait.expiresAt !== undefined && wait.expiresAt <= now)) {
      if (wait.status !== 'timed-out') await this.store.putWait({ ...wait, status: 'timed-out' });
      const error = new WaitTimeoutError({ executionId: this.executionId, waitId: id });
      const record: CheckpointRecord = { ...base, status: 'failed', error: await toErrorRecord(this.store, error), endedAt: now };
      await this.#putCheckpoint(record);
      this.#records.set(id, record);
      throw error;
    }
    if (!wait) {
      wait = {
        executionId: this.executionId,
        id,
        name: call.name,
        status: 'pending',
        schema: await toStoredSchema(options.schema),
        createdAt: now,
        ...(options.question !== undefined ? { question: options.question } : {}),
        ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
        ...(options.timeout !== undefined ? { expiresAt: now + options.timeout } : {}),
      };
      await this.store.putWait(wait);
    }
    await this.#putCheckpoint(base);
    this.#records.set(id, base);
    this.#suspendedWaits.push(wait);
    return this.#suspend(scope);
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
    if (this.#halt?.reason === 'cancelled' || this.#halt?.reason === 'lease-lost') return;
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
    if (!this.#halt) {
      const current = await this.store.getExecution(this.executionId);
      if (current?.cancelRequested) this.cancel();
      else if (current && current.lease?.owner !== this.host.ownerId) this.#loseLease(current);
    }
    if (this.#halt && this.#halt.reason !== 'suspended') throw this.controller.signal.reason;
  }

  #loseLease(current: ExecutionRecord): void {
    if (this.#halt?.reason === 'lease-lost') return;
    const error = current.lease
      ? new ExecutionLeasedError({ executionId: this.executionId, lease: current.lease })
      : new Error(`Execution "${this.executionId}" lost its lease (it is ${current.status} now); this process stopped running it.`);
    this.#halt = { reason: 'lease-lost', error };
    this.controller.abort(error);
    this.#signalHalt();
    this.#notify();
  }

  /**
   * Updates this session's execution with compare-and-set. A conflict with a write from elsewhere
   * (a cancel request) is merged and retried; finding another owner's lease stops the session.
   */
  updateExecution(patch: ExecutionPatch): Promise<void> {
    const write = this.#executionWrites.then(async () => {
      for (;;) {
        const result = await this.store.updateExecution(this.executionId, patch, { version: this.#execution.version });
        if (result.ok) {
          this.#execution = result.record;
          return;
        }
        if (result.reason === 'not-found') throw new ExecutionNotFoundError({ executionId: this.executionId, store: this.store.location });
        const current = result.current;
        if (current.lease?.owner !== this.host.ownerId) {
          this.#loseLease(current);
          throw this.controller.signal.reason;
        }
        if (current.cancelRequested) this.cancel();
        this.#execution = current;
      }
    });
    this.#executionWrites = write.catch(() => {});
    return write;
  }

  /**
   * Renews the lease every third of its time to live, and looks at the execution every second for a
   * cancel request from another process (or a lease taken over), so a long call is aborted promptly
   * rather than at the next checkpoint.
   */
  #startHeartbeat(): void {
    const renewEvery = Math.max(50, Math.floor(this.host.leaseTtlMs / 3));
    const lookEvery = Math.min(cancelPollMs, renewEvery);
    let sinceRenewal = 0;
    this.#heartbeat = setInterval(() => {
      if (this.#halt && this.#halt.reason !== 'suspended') return;
      sinceRenewal += lookEvery;
      if (sinceRenewal >= renewEvery) {
        sinceRenewal = 0;
        this.updateExecution({ lease: leaseFor(this.host.ownerId, this.host.leaseTtlMs) }).catch(() => {});
      } else {
        this.#checkCancelled().catch(() => {});
      }
    }, lookEvery);
    this.#heartbeat.unref();
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

  /**
   * Queues a log line; lines are written in order, in batches. While a resumed body is still replaying
   * what an earlier session did (no call has run live yet), its lines were written by that session
   * already, so they are not written twice.
   */
  log(level: LogLevel, message: string, fields: Record<string, unknown> | undefined, checkpointId: string | null): void {
    if (this.#replaying) return;
    this.#logs.push({
      executionId: this.executionId,
      checkpointId,
      level,
      message,
      session: this.number,
      time: Date.now(),
      ...(fields !== undefined ? { fields: jsonFields(fields) } : {}),
    });
    if (this.#logs.length === 1) {
      this.#logFlush = this.#logFlush.then(
        () =>
          new Promise<void>((resolve) =>
            setImmediate(() => {
              const batch = this.#logs;
              this.#logs = [];
              this.store.appendLogs(batch).then(resolve, resolve);
            }),
          ),
      );
    }
  }

  async #flushLogs(): Promise<void> {
    await this.#logFlush;
    if (this.#logs.length) {
      const batch = this.#logs;
      this.#logs = [];
      await this.store.appendLogs(batch);
    }
  }

  /** Saves a named artifact of this execution (replacing one of the same name). */
  async save(name: string, value: unknown, type: string | undefined, checkpointId: string | null): Promise<void> {
    const payload = await storePayload(this.store, value, `artifact "${name}"`);
    await this.store.putArtifact({
      executionId: this.executionId,
      name,
      type: type ?? artifactTypeOf(value),
      payload,
      checkpointId,
      createdAt: Date.now(),
    });
  }
}

function sideOf(record: CheckpointRecord): DivergenceSide {
  return { id: record.id, name: record.name, kind: record.kind, ...(record.fingerprint ? { fingerprint: record.fingerprint } : {}) };
}

function toPendingWait(wait: WaitRecord): PendingWait {
  return {
    name: wait.name,
    id: wait.id,
    schema: wait.schema,
    ...(wait.question !== undefined ? { question: wait.question } : {}),
    ...(wait.metadata !== undefined ? { metadata: wait.metadata } : {}),
    ...(wait.expiresAt !== undefined ? { expiresAt: wait.expiresAt } : {}),
  };
}

function stripResolution(wait: WaitRecord): WaitRecord {
  const { input: _input, resolvedAt: _resolvedAt, resolvedBy: _resolvedBy, ...rest } = wait;
  return rest;
}

/** The artifact type a value gets when `save()` is not told one. */
export function artifactTypeOf(value: unknown): string {
  if (typeof value === 'string') return 'text';
  if (value instanceof Uint8Array) return 'binary';
  return 'json';
}

function jsonFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
  } catch {
    return { unserializable: String(fields) };
  }
}

export { toPendingWait };
