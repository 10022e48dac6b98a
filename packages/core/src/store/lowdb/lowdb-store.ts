import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type {
  ArtifactRecord,
  CheckpointRecord,
  CheckpointWrite,
  CheckpointWriteReceipt,
  ExecutionFilter,
  ExecutionPatch,
  ExecutionRecord,
  DeploymentRecord,
  FlowTagRecord,
  LeaseFence,
  LogRecord,
  PayloadRef,
  UpdateResult,
  WaitRecord,
} from '../records.js';
import type { Store } from '../store.js';
import { ExecutionExistsError } from '../../errors/execution-exists-error.js';
import { matchesExecutionFilter } from '../execution-filter.js';
import { applyExecutionPatch } from '../execution-patch.js';
import { fencedLogExecution, holdsLease } from '../lease-fence.js';
import { checkpointWriteExecution, describeCheckpointWrite } from '../checkpoint-write.js';
import { LeaseLostError } from '../../errors/lease-lost-error.js';
import { BlobPacks } from './blob-packs.js';
import { CheckpointSegments } from './checkpoint-segments.js';
import { DeploymentDocuments } from './deployment-documents.js';
import { DocumentFiles } from './document-files.js';
import { FileLocks } from './file-locks.js';
import { artifactListShape, executionShape, logSegmentShape, waitListShape } from './document-shapes.js';
import { KeyedMutex } from './keyed-mutex.js';
import { LooseBlobFiles } from './loose-blob-files.js';
import { StoreLayout, checkpointsPerSegment, isSafeExecutionId, logLinesPerSegment, segmentNumber } from './store-layout.js';
import { StoreMarker } from './store-marker.js';

/** Options of {@link lowdbStore}. */
export interface LowdbStoreOptions {
  /**
   * After how many milliseconds of silence a document lock held by another process is broken even
   * though that process still runs (a lock whose process died on this machine is broken at once).
   * Default 10 s.
   */
  readonly staleLockAfter?: number;
  /** How many parsed documents (and as many checkpoint segments) this process keeps in memory. Default 1,000. */
  readonly cachedDocuments?: number;
}

/**
 * The default {@link Store}: JSON files in a folder (`.keel/` in a project), written with lowdb.
 *
 * The folder is sharded so that a write costs the same with ten checkpoints or ten thousand: one folder
 * per execution, checkpoints and log lines in bounded segments, payloads in 256 packs by their hash
 * (see {@link StoreLayout} for the files). Every document is written atomically (a temporary file
 * renamed into place), checkpoint records and blobs are appended as lines (see
 * {@link CheckpointSegments} and {@link BlobPacks}), and every write happens under a lock file, so
 * several processes (a worker, the CLI giving input) can share the folder without losing a write.
 * Documents are cached in memory and parsed again only when their file changed.
 *
 * Limits: one machine (locks use process ids and a local file system, not a network share); listing
 * executions reads one file per execution it passes over; a file damaged by hand fails with
 * `StoreCorruptedError` and is left as it is for you to repair. Writes survive the process being killed;
 * they are not flushed to the disk (no `fsync`), so a power cut may lose the last ones.
 *
 * @param directory - The store folder; created on the first write.
 *
 * @example
 * ```ts
 * const store = lowdbStore('.keel');
 * ```
 */
export function lowdbStore(directory: string, options: LowdbStoreOptions = {}): Store {
  return new LowdbStore(resolve(directory), options);
}

class LowdbStore implements Store {
  readonly specificationVersion = 'v4' as const;
  readonly name = 'lowdb';
  readonly location: string;

  readonly #layout: StoreLayout;
  readonly #locks: FileLocks;
  readonly #documents: DocumentFiles;
  readonly #blobPacks: BlobPacks;
  readonly #looseBlobs: LooseBlobFiles;
  readonly #segments: CheckpointSegments;
  readonly #marker: StoreMarker;
  readonly #deployments: DeploymentDocuments;
  /** Serializes the appends to one execution's log, so the lines of one call stay together. */
  readonly #logAppends = new KeyedMutex();
  /** The log segment each execution appended to last, so an append starts there instead of listing files. */
  readonly #lastLogSegment = new Map<string, number>();
  /** Which segment each checkpoint was last seen in, so `getCheckpoint` usually reads one segment. */
  readonly #checkpointSegments = new Map<string, number>();

  constructor(location: string, options: LowdbStoreOptions) {
    this.location = location;
    this.#layout = new StoreLayout(location);
    this.#locks = new FileLocks({ directory: this.#layout.locksDirectory, staleAfter: options.staleLockAfter ?? 10_000 });
    this.#documents = new DocumentFiles({ locks: this.#locks, cachedDocuments: options.cachedDocuments ?? 1_000 });
    this.#blobPacks = new BlobPacks(this.#layout, this.#locks);
    this.#looseBlobs = new LooseBlobFiles(this.#layout);
    this.#segments = new CheckpointSegments(this.#layout, this.#documents, options.cachedDocuments ?? 1_000);
    this.#marker = new StoreMarker(this.#layout, this.#documents);
    this.#deployments = new DeploymentDocuments(this.#layout.deploymentsFile, this.#documents);
  }

  // ── executions ────────────────────────────────────────────────────────────────────────────

  async createExecution(record: Omit<ExecutionRecord, 'version' | 'updatedAt'>): Promise<ExecutionRecord> {
    assertSafeExecutionId(record.id);
    await this.#marker.written();
    const file = this.#layout.executionFile(record.id);
    const stored: ExecutionRecord = { ...copy(record), version: 1, updatedAt: record.createdAt };
    return this.#documents.update(file, executionShape, (current) => {
      if (current !== null) throw new ExecutionExistsError({ executionId: record.id, location: this.location });
      return { next: stored, result: copy(stored) };
    });
  }

  async getExecution(id: string): Promise<ExecutionRecord | null> {
    if (!isSafeExecutionId(id)) return null;
    await this.#marker.checked();
    const record = await this.#documents.read(this.#layout.executionFile(id), executionShape);
    return record === null ? null : copy(record);
  }

  async updateExecution(
    id: string,
    patch: ExecutionPatch,
    condition?: { readonly version?: number; readonly fence?: LeaseFence },
  ): Promise<UpdateResult<ExecutionRecord>> {
    // Looking first (without the lock) keeps an update of an unknown id from creating its folder.
    if ((await this.getExecution(id)) === null) return { ok: false, reason: 'not-found' };
    await this.#marker.written();
    const changes = copy(patch);
    return this.#documents.update<ExecutionRecord, UpdateResult<ExecutionRecord>>(this.#layout.executionFile(id), executionShape, (current) => {
      if (current === null) return { result: { ok: false, reason: 'not-found' } as const };
      if (condition?.fence !== undefined && !holdsLease(current, condition.fence)) {
        throw this.#leaseLost(id, condition.fence, 'an update of the execution', current);
      }
      if (condition?.version !== undefined && condition.version !== current.version) {
        return { result: { ok: false, reason: 'conflict', current: copy(current) } as const };
      }
      const next = applyExecutionPatch(current, changes, Date.now());
      return { next, result: { ok: true, record: copy(next) } as const };
    });
  }

  async listExecutions(filter: ExecutionFilter = {}): Promise<ExecutionRecord[]> {
    await this.#marker.checked();
    const limit = filter.limit ?? Infinity;
    if (limit <= 0) return [];
    // Folder names are the ids, which sort by creation time: newest first is a reverse sort of names,
    // and records are read only until `limit` of them match.
    const ids = (await directoryNames(this.#layout.executionsDirectory))
      .filter((id) => isSafeExecutionId(id) && (filter.before === undefined || id < filter.before))
      .sort()
      .reverse();
    const found: ExecutionRecord[] = [];
    for (let start = 0; start < ids.length && found.length < limit;) {
      const batch = ids.slice(start, (start += Math.min(Math.max(limit - found.length, 8), 64)));
      const records = await Promise.all(batch.map((id) => this.#documents.read(this.#layout.executionFile(id), executionShape)));
      for (const record of records) {
        if (record !== null && found.length < limit && matchesExecutionFilter(record, filter)) found.push(copy(record));
      }
    }
    return found;
  }

  // ── checkpoints ───────────────────────────────────────────────────────────────────────────

  async putCheckpoint(record: CheckpointRecord, fence?: LeaseFence): Promise<void> {
    assertWritableCheckpoint(record);
    await this.#marker.written();
    await this.#checkpointsLocked(record.executionId, fence, `checkpoint "${record.id}"`, () => this.#putCheckpoints([record]));
  }

  async writeCheckpoints(write: CheckpointWrite, fence?: LeaseFence): Promise<CheckpointWriteReceipt> {
    const executionId = checkpointWriteExecution(write);
    for (const record of write.checkpoints) assertWritableCheckpoint(record);
    await this.#marker.written();
    // Blobs first: a record never lands before the blobs it references.
    for (const blob of write.blobs ?? []) await this.#blobPacks.put(blob.hash, blob.content);
    if (executionId === undefined) return { cancelRequested: false };
    let cancelRequested = false;
    await this.#checkpointsLocked(executionId, fence, describeCheckpointWrite(write.checkpoints), async (current) => {
      cancelRequested = fence !== undefined && current?.cancelRequested === true;
      await this.#putCheckpoints(write.checkpoints);
    });
    return { cancelRequested };
  }

  /** Files `records` into their segments; the caller holds the execution's lock (see {@link #checkpointsLocked}). */
  async #putCheckpoints(records: readonly CheckpointRecord[]): Promise<void> {
    // One append per segment the batch touches (a session's batch is usually one record).
    const bySegment = new Map<number, CheckpointRecord[]>();
    const movedFrom = new Map<number, string[]>();
    for (const record of records) {
      const segment = Math.floor(record.seq / checkpointsPerSegment);
      const previousSegment = this.#checkpointSegments.get(checkpointKey(record.executionId, record.id));
      // `seq` is kept when a checkpoint is put again (records.ts), so this only repairs a caller that
      // changed it, as far as this process has seen the record.
      if (previousSegment !== undefined && previousSegment !== segment) appendTo(movedFrom, previousSegment, record.id);
      appendTo(bySegment, segment, record);
    }
    const executionId = records[0]?.executionId;
    if (executionId === undefined) return;
    for (const [segment, filed] of bySegment) {
      await this.#segments.append(executionId, segment, filed);
      for (const record of filed) this.#rememberSegment(executionId, record.id, segment);
    }
    // Removed from their old segment only once filed in the new one: a crash in between leaves a record
    // twice, never nowhere.
    for (const [segment, ids] of movedFrom) await this.#segments.append(executionId, segment, [], ids);
  }

  async getCheckpoint(executionId: string, id: string): Promise<CheckpointRecord | null> {
    if (!isSafeExecutionId(executionId)) return null;
    await this.#marker.checked();
    const hinted = this.#checkpointSegments.get(checkpointKey(executionId, id));
    if (hinted !== undefined) {
      const record = await this.#findCheckpoint(executionId, hinted, id);
      if (record !== null) return record;
    }
    // No hint (or a wrong one): search the segments, newest first.
    for (const segment of (await this.#segmentNumbers(executionId, 'checkpoints')).reverse()) {
      if (segment === hinted) continue;
      const record = await this.#findCheckpoint(executionId, segment, id);
      if (record !== null) return record;
    }
    return null;
  }

  async #findCheckpoint(executionId: string, segment: number, id: string): Promise<CheckpointRecord | null> {
    const records = await this.#segments.read(executionId, segment);
    const record = records?.find((item) => item.id === id);
    if (record === undefined) return null;
    this.#rememberSegment(executionId, id, segment);
    return copy(record);
  }

  #rememberSegment(executionId: string, id: string, segment: number): void {
    // A hint, not a record: starting over now and then bounds the memory of a long-running worker.
    if (this.#checkpointSegments.size >= 100_000) this.#checkpointSegments.clear();
    this.#checkpointSegments.set(checkpointKey(executionId, id), segment);
  }

  async listCheckpoints(executionId: string): Promise<CheckpointRecord[]> {
    if (!isSafeExecutionId(executionId)) return [];
    await this.#marker.checked();
    const segments = await this.#segmentNumbers(executionId, 'checkpoints');
    const documents = await Promise.all(segments.map((segment) => this.#segments.read(executionId, segment)));
    // Segments hold consecutive ranges of `seq`, and each comes sorted, so the whole list is sorted.
    return copy(documents.flatMap((records) => records ?? []));
  }

  // ── waits ─────────────────────────────────────────────────────────────────────────────────

  async putWait(record: WaitRecord, fence?: LeaseFence): Promise<void> {
    assertSafeExecutionId(record.executionId);
    await this.#marker.written();
    const stored = copy(record);
    await this.#fenced(record.executionId, fence, `wait "${record.id}"`, () =>
      this.#documents.update(this.#layout.waitsFile(stored.executionId), waitListShape, (current) => ({
        next: upsert(current ?? [], stored, (item) => item.id === stored.id),
        result: undefined,
      })),
    );
  }

  async getWait(executionId: string, id: string): Promise<WaitRecord | null> {
    const wait = (await this.#waits(executionId))?.find((item) => item.id === id);
    return wait === undefined ? null : copy(wait);
  }

  async listWaits(executionId: string, filter?: { readonly status?: WaitRecord['status'] }): Promise<WaitRecord[]> {
    const waits = (await this.#waits(executionId)) ?? [];
    return copy(waits.filter((wait) => filter?.status === undefined || wait.status === filter.status));
  }

  async resolveWait(
    executionId: string,
    id: string,
    resolution: { readonly input: PayloadRef; readonly resolvedBy?: string; readonly resolvedAt: number },
  ): Promise<UpdateResult<WaitRecord>> {
    if (!(await this.#waits(executionId))?.some((item) => item.id === id)) return { ok: false, reason: 'not-found' };
    await this.#marker.written();
    const given = copy(resolution);
    return this.#documents.update<readonly WaitRecord[], UpdateResult<WaitRecord>>(this.#layout.waitsFile(executionId), waitListShape, (current) => {
      const index = current?.findIndex((item) => item.id === id) ?? -1;
      const wait = current?.[index];
      if (current === null || wait === undefined) return { result: { ok: false, reason: 'not-found' } as const };
      // Checked under the lock, so of two processes answering at once exactly one sees `pending`.
      if (wait.status !== 'pending') return { result: { ok: false, reason: 'conflict', current: copy(wait) } as const };
      const resolved: WaitRecord = { ...wait, ...given, status: 'resolved' };
      const next = [...current];
      next[index] = resolved;
      return { next, result: { ok: true, record: copy(resolved) } as const };
    });
  }

  async #waits(executionId: string): Promise<readonly WaitRecord[] | null> {
    if (!isSafeExecutionId(executionId)) return null;
    await this.#marker.checked();
    return this.#documents.read(this.#layout.waitsFile(executionId), waitListShape);
  }

  // ── artifacts and blobs ───────────────────────────────────────────────────────────────────

  async putArtifact(record: ArtifactRecord, fence?: LeaseFence): Promise<void> {
    assertSafeExecutionId(record.executionId);
    await this.#marker.written();
    const stored = copy(record);
    await this.#fenced(record.executionId, fence, `artifact "${record.name}"`, () =>
      this.#documents.update(this.#layout.artifactsFile(stored.executionId), artifactListShape, (current) => ({
        next: upsert(current ?? [], stored, (item) => item.name === stored.name),
        result: undefined,
      })),
    );
  }

  async getArtifact(executionId: string, name: string): Promise<ArtifactRecord | null> {
    const artifact = (await this.#artifacts(executionId)).find((item) => item.name === name);
    return artifact === undefined ? null : copy(artifact);
  }

  async listArtifacts(executionId: string): Promise<ArtifactRecord[]> {
    return copy([...(await this.#artifacts(executionId))]);
  }

  async #artifacts(executionId: string): Promise<readonly ArtifactRecord[]> {
    if (!isSafeExecutionId(executionId)) return [];
    await this.#marker.checked();
    return (await this.#documents.read(this.#layout.artifactsFile(executionId), artifactListShape)) ?? [];
  }

  async putBlob(hash: string, content: string): Promise<void> {
    await this.#marker.written();
    await this.#blobPacks.put(hash, content);
  }

  async getBlob(hash: string): Promise<string | null> {
    return (await this.getBlobs([hash])).get(hash) ?? null;
  }

  async getBlobs(hashes: readonly string[]): Promise<Map<string, string>> {
    await this.#marker.checked();
    const wanted = new Set(hashes);
    const found = this.#blobPacks.getMany(wanted);
    // A folder written before format 3 keeps a file per blob.
    for (const hash of wanted) {
      if (found.has(hash)) continue;
      const content = this.#looseBlobs.get(hash);
      if (content !== null) found.set(hash, content);
    }
    return found;
  }

  // ── logs ──────────────────────────────────────────────────────────────────────────────────

  async appendLogs(records: readonly LogRecord[], fence?: LeaseFence): Promise<void> {
    const fencedExecution = fence !== undefined && records.length > 0 ? fencedLogExecution(records) : undefined;
    const byExecution = new Map<string, LogRecord[]>();
    for (const record of records) {
      // Every id is checked before anything is written, so a bad one does not leave half an append.
      assertSafeExecutionId(record.executionId);
      let lines = byExecution.get(record.executionId);
      if (lines === undefined) byExecution.set(record.executionId, (lines = []));
      lines.push(copy(record));
    }
    if (byExecution.size === 0) return;
    await this.#marker.written();
    if (fencedExecution !== undefined) {
      const lines = byExecution.get(fencedExecution)!;
      await this.#fenced(fencedExecution, fence, `${lines.length} log lines`, () =>
        this.#logAppends.run(fencedExecution, () => this.#appendLines(fencedExecution, lines)),
      );
      return;
    }
    await Promise.all([...byExecution].map(([executionId, lines]) => this.#logAppends.run(executionId, () => this.#appendLines(executionId, lines))));
  }

  async #appendLines(executionId: string, lines: readonly LogRecord[]): Promise<void> {
    // Segments fill up in order (a new one starts only when the last is full), so line k is always in
    // segment ⌊k / 500⌋ and `listLogs` can start reading at the segment holding its offset.
    let segment = this.#lastLogSegment.get(executionId) ?? (await this.#segmentNumbers(executionId, 'logs')).at(-1) ?? 0;
    for (let appended = 0; appended < lines.length;) {
      appended += await this.#documents.update(this.#layout.logSegmentFile(executionId, segment), logSegmentShape, (current) => {
        const existing = current ?? [];
        const taken = lines.slice(appended, appended + logLinesPerSegment - existing.length);
        return taken.length === 0 ? { result: 0 } : { next: [...existing, ...taken], result: taken.length };
      });
      if (appended < lines.length) segment += 1;
    }
    this.#lastLogSegment.set(executionId, segment);
  }

  async listLogs(executionId: string, options: { readonly offset?: number; readonly limit?: number } = {}): Promise<LogRecord[]> {
    if (!isSafeExecutionId(executionId)) return [];
    await this.#marker.checked();
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const limit = options.limit ?? Infinity;
    const found: LogRecord[] = [];
    let skip = offset % logLinesPerSegment;
    for (let segment = Math.floor(offset / logLinesPerSegment); found.length < limit; segment++) {
      const lines = await this.#documents.read(this.#layout.logSegmentFile(executionId, segment), logSegmentShape);
      if (lines === null) break;
      found.push(...lines.slice(skip, skip + (limit - found.length)));
      if (lines.length < logLinesPerSegment) break;
      skip = 0;
    }
    return copy(found);
  }

  // ── deployments and tags ──────────────────────────────────────────────────────────────────

  async createDeployment(record: DeploymentRecord): Promise<UpdateResult<DeploymentRecord>> {
    await this.#marker.written();
    return this.#deployments.create(record);
  }

  async getDeployment(flow: string, version: string): Promise<DeploymentRecord | null> {
    await this.#marker.checked();
    return this.#deployments.get(flow, version);
  }

  async listDeployments(filter: { readonly flow?: string } = {}): Promise<DeploymentRecord[]> {
    await this.#marker.checked();
    return this.#deployments.list(filter.flow);
  }

  async deleteDeployment(flow: string, version: string): Promise<boolean> {
    await this.#marker.written();
    return this.#deployments.delete(flow, version);
  }

  async putTag(record: FlowTagRecord): Promise<void> {
    await this.#marker.written();
    await this.#deployments.putTag(record);
  }

  async getTag(flow: string, tag: string): Promise<FlowTagRecord | null> {
    await this.#marker.checked();
    return this.#deployments.getTag(flow, tag);
  }

  async listTags(filter: { readonly flow?: string } = {}): Promise<FlowTagRecord[]> {
    await this.#marker.checked();
    return this.#deployments.listTags(filter.flow);
  }

  async deleteTag(flow: string, tag: string): Promise<boolean> {
    await this.#marker.written();
    return this.#deployments.deleteTag(flow, tag);
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────

  async close(): Promise<void> {
    await this.#logAppends.idle();
    await this.#documents.idle();
    this.#locks.dispose();
    this.#documents.forget();
    this.#blobPacks.forget();
    this.#segments.forget();
    this.#lastLogSegment.clear();
    this.#checkpointSegments.clear();
  }

  /**
   * Runs `write` under the lock of the execution's document, which guards its checkpoint segments too
   * (they are changed only under it, so a fenced write takes one lock), after checking `fence` if given:
   * a takeover needs the same lock, so the lease cannot change between the check and the write.
   */
  async #checkpointsLocked(
    executionId: string,
    fence: LeaseFence | undefined,
    what: string,
    write: (current: ExecutionRecord | null) => Promise<void>,
  ): Promise<void> {
    await this.#documents.guard(this.#layout.executionFile(executionId), executionShape, async (current) => {
      if (fence !== undefined && !holdsLease(current, fence)) throw this.#leaseLost(executionId, fence, what, current);
      await write(current);
    });
  }

  /**
   * Runs `write` while `fence` is the execution's lease: under the lock of the execution's document,
   * which a takeover needs too, so the lease cannot change between the check and the write.
   */
  async #fenced(executionId: string, fence: LeaseFence | undefined, what: string, write: (current: ExecutionRecord | null) => Promise<unknown>): Promise<void> {
    if (fence === undefined) {
      await write(null);
      return;
    }
    await this.#documents.guard(this.#layout.executionFile(executionId), executionShape, async (current) => {
      if (!holdsLease(current, fence)) throw this.#leaseLost(executionId, fence, what, current);
      await write(current);
    });
  }

  #leaseLost(executionId: string, fence: LeaseFence, write: string, current: ExecutionRecord | null): LeaseLostError {
    return new LeaseLostError({ executionId, write, fence, current: current && copy(current), store: this.location });
  }

  /** The numbers of an execution's `checkpoints-<n>` or `logs-<n>` segments, ascending. */
  async #segmentNumbers(executionId: string, prefix: 'checkpoints' | 'logs'): Promise<number[]> {
    const names = await directoryNames(this.#layout.executionDirectory(executionId));
    const numbers = new Set(names.map((name) => segmentNumber(name, prefix)).filter((segment) => segment !== undefined));
    return [...numbers].sort((a, b) => a - b);
  }
}

function assertSafeExecutionId(id: string): void {
  if (!isSafeExecutionId(id)) {
    throw new Error(
      `lowdb store: "${id}" cannot be an execution id here, because it names a folder: use 1 to 200 letters, ` +
        "digits, '.', '_' or '-', starting with a letter or a digit.",
    );
  }
}

function assertWritableCheckpoint(record: CheckpointRecord): void {
  assertSafeExecutionId(record.executionId);
  if (!Number.isSafeInteger(record.seq) || record.seq < 0) {
    throw new Error(`lowdb store: checkpoint "${record.id}" has seq ${record.seq}; expected an integer ≥ 0.`);
  }
}

/** The names in a folder; none when it does not exist. */
async function directoryNames(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Replaces the item `matches` finds (keeping its place) or appends `item`; optionally re-sorts. */
function upsert<T>(items: readonly T[], item: T, matches: (candidate: T) => boolean, order?: (a: T, b: T) => number): T[] {
  const next = [...items];
  const index = next.findIndex(matches);
  if (index === -1) next.push(item);
  else next[index] = item;
  return order === undefined ? next : next.sort(order);
}

/** Adds `item` to the list under `key`. */
function appendTo<K, T>(lists: Map<K, T[]>, key: K, item: T): void {
  const list = lists.get(key);
  if (list === undefined) lists.set(key, [item]);
  else list.push(item);
}

function checkpointKey(executionId: string, id: string): string {
  return `${executionId}\n${id}`;
}

// Records are JSON by contract, so a JSON round trip is an exact, cheap deep copy (and drops
// `undefined` fields the way writing the file would).
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
