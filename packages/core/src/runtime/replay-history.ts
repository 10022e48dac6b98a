import { DivergenceError, type DivergenceSide } from '../errors/divergence-error.js';
import { loadPayload } from '../serialization/payloads.js';
import type { CheckpointRecord, ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { fromErrorRecord } from './error-records.js';
import { fingerprintsConflict } from './request-fingerprint.js';
import type { Scope } from './scope.js';

/**
 * `store`, whose `getBlob` first takes the blob from `texts` (outputs read ahead in a batch), removing
 * it there: each is used once, and a blob asked for again (two records with the same output) is read.
 */
function readingAhead(store: Store, texts: Map<string, string>): Store {
  const getBlob = async (hash: string): Promise<string | null> => {
    const text = texts.get(hash);
    if (text === undefined) return store.getBlob(hash);
    texts.delete(hash);
    return text;
  };
  return new Proxy(store, { get: (target, property) => (property === 'getBlob' ? getBlob : Reflect.get(target, property, target)) });
}

/**
 * How many stored outputs a resumed session reads in one `getBlobs` call. The next batch is read while
 * the flow replays the current one, so a resume of thousands of calls waits on a few reads, not one each.
 */
const outputBatch = 500;

/**
 * What earlier sessions of an execution recorded, as seen by the session that replays it: the records
 * by id, each parent's recorded calls in start order, which calls were interrupted or failed, and the
 * stored outputs read ahead of the flow. It decides whether a call is the recorded one (divergence)
 * and where the recorded run stopped in a scope (what `patched()` answers).
 */
export class ReplayHistory {
  readonly #store: Store;
  readonly #execution: ExecutionRecord;
  readonly #records = new Map<string, CheckpointRecord>();
  /** Records of earlier sessions under each parent (`''` for flow scope), in start order. */
  readonly #recordedChildren = new Map<string, CheckpointRecord[]>();
  readonly #completedPrefixes = new Map<string, number>();
  /** Ids that earlier sessions started and never finished: interrupted by a crash. */
  readonly #interrupted = new Set<string>();
  /** Ids whose failure an earlier session recorded: replayed as failures unless this is a retry. */
  readonly #failedBefore = new Set<string>();
  #nextSeq = 0;
  /** The completed, durable records with an output, in record order, split into batches of {@link outputBatch}. */
  readonly #outputs: CheckpointRecord[] = [];
  /** Which batch of {@link #outputs} holds each record's output. */
  readonly #batchOf = new Map<string, number>();
  /** The batches read or being read; a batch's outputs wait in {@link #texts} until the flow asks for them. */
  readonly #batches = new Map<number, Promise<void>>();
  readonly #texts = new Map<string, string>();
  /** The store, but `getBlob` answers from the outputs read ahead first (so `loadPayload` uses them). */
  readonly #readAhead: Store;
  readonly #positionalChecks: boolean;
  /** Whether earlier sessions recorded anything at all. */
  readonly recordedAnything: boolean;

  constructor(store: Store, execution: ExecutionRecord, records: readonly CheckpointRecord[]) {
    this.#store = store;
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
      if (record.status === 'completed' && record.durable && record.output) {
        this.#batchOf.set(record.id, Math.floor(this.#outputs.length / outputBatch));
        this.#outputs.push(record);
      }
    }
    this.#readAhead = readingAhead(store, this.#texts);
    void this.#load(0);
    this.recordedAnything = records.length > 0;
    // A replay reuses a subset of the original's records, so positions there do not line up.
    this.#positionalChecks = execution.replayOf === undefined;
  }

  /** The record with this id, recorded earlier or written by this session. */
  get(id: string): CheckpointRecord | undefined {
    return this.#records.get(id);
  }

  /** Keeps the record this session wrote, so a later call with the same id sees it. */
  set(id: string, record: CheckpointRecord): void {
    this.#records.set(id, record);
  }

  /** The start order of the next new call. */
  nextSeq(): number {
    return this.#nextSeq++;
  }

  /** Whether an earlier session started the call and never finished it (a crash). */
  wasInterrupted(id: string): boolean {
    return this.#interrupted.has(id);
  }

  /** Whether an earlier session recorded the call's failure. */
  failedBefore(id: string): boolean {
    return this.#failedBefore.has(id);
  }

  /** How many ordered calls earlier sessions made in a scope (`null`: flow scope). */
  recordedCalls(parentId: string | null): number {
    return this.#recordedChildren.get(parentId ?? '')?.length ?? 0;
  }

  /** Takes the next position in `scope` and fails when the recorded run made another call there. */
  checkPosition(scope: Scope, current: DivergenceSide): void {
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
        executionId: this.#execution.id,
        recorded: this.sideOf(recorded),
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

  /**
   * Fails when the record at a call's id is of another name, kind or request. A recorded fingerprint
   * among `formerFingerprints` is the current request under an earlier normal form.
   */
  checkSameCall(recorded: CheckpointRecord, current: DivergenceSide, formerFingerprints: readonly string[] = []): void {
    let reason: string | undefined;
    if (recorded.name !== current.name) reason = `the call at "${current.id}" has another name`;
    else if (recorded.kind !== current.kind) reason = `the call at "${current.id}" is of another kind`;
    else if (fingerprintsConflict(recorded.fingerprint, current.fingerprint) && !formerFingerprints.includes(recorded.fingerprint!)) {
      reason = `the call at "${current.id}" was made with another request`;
    }
    if (reason) throw new DivergenceError({ executionId: this.#execution.id, recorded: this.sideOf(recorded), current, reason });
  }

  /** A recorded call as a divergence error names it, with the code version that recorded it. */
  sideOf(record: CheckpointRecord): DivergenceSide {
    const codeVersion = record.codeVersion ?? this.#execution.codeVersion;
    return {
      id: record.id,
      name: record.name,
      kind: record.kind,
      ...(codeVersion !== undefined ? { codeVersion } : {}),
      ...(record.fingerprint ? { fingerprint: record.fingerprint } : {}),
    };
  }

  /** The stored output of a completed record, read ahead when it could be. */
  async recordedOutput(record: CheckpointRecord): Promise<unknown> {
    if (!record.output) return undefined;
    const batch = this.#batchOf.get(record.id);
    if (batch !== undefined) {
      void this.#load(batch + 1);
      await this.#load(batch);
    }
    return loadPayload(this.#readAhead, record.output, { executionId: this.#execution.id, checkpointId: record.id });
  }

  /** The recorded failure of a record, rebuilt as the error it was. */
  async recordedFailure(record: CheckpointRecord): Promise<never> {
    throw await fromErrorRecord(this.#store, record.error!);
  }

  /**
   * Reads batch `batch` of the recorded outputs with one `getBlobs` call, once. A resumed body asks
   * for stored outputs one after another, in record order: reading them a batch at a time, and the
   * next batch while the flow replays this one, turns thousands of store round trips into a few.
   * A failed read is surfaced when the flow asks for one of the batch's outputs.
   */
  #load(batch: number): Promise<void> {
    // Batches before this one were replayed: their outputs not asked for (a call the flow skipped) go.
    this.#batches.delete(batch - 2);
    let loading = this.#batches.get(batch);
    if (loading !== undefined) return loading;
    const records = this.#outputs.slice(batch * outputBatch, (batch + 1) * outputBatch);
    if (records.length === 0) return Promise.resolve();
    loading = this.#store.getBlobs(records.map((record) => record.output!.hash)).then((found) => {
      for (const [hash, text] of found) this.#texts.set(hash, text);
    });
    loading.catch(() => {});
    this.#batches.set(batch, loading);
    return loading;
  }
}
