import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import type { CheckpointRecord } from '../records.js';
import { appendLines, canContinue, isCurrent, openForAppend, readNewLines, startOfFile, type ReadProgress } from './appended-lines.js';
import type { DocumentFiles } from './document-files.js';
import { checkpointSegmentShape } from './document-shapes.js';
import type { StoreLayout } from './store-layout.js';

/** A segment as this process last read it. */
interface CachedSegment extends ReadProgress {
  /** The lines read so far, applied in order: the last line of an id wins. */
  readonly records: Map<string, CheckpointRecord>;
  /** The records sorted by `seq`, until the next change. */
  sorted: readonly CheckpointRecord[] | undefined;
}

/** A line that removes a record from a segment (written when a record moved to another segment). */
interface RemovedLine {
  readonly id: string;
  readonly removed: true;
}

/**
 * An execution's checkpoint records, filed in segments of 128 by `seq` (segment = ⌊seq / 128⌋).
 *
 * Since store format 2 a segment is a JSON Lines file, `checkpoints-<n>.jsonl`, that is only ever
 * appended to: a record put again is a new line, and the last line of an id wins. Appending one line is
 * a few microseconds, where replacing the whole segment (temp file + rename, format 1) made the file
 * system allocate and flush a new file per checkpoint, the largest cost of a checkpoint on this store.
 *
 * Lines are appended under the execution's lock, and a torn last line is handled as `appended-lines.ts`
 * says. Any other line that does not parse fails with {@link StoreCorruptedError} naming the file and
 * line, and the file is left as it is.
 *
 * A segment written in format 1 (`checkpoints-<n>.json`, one JSON array) is read as it is, and new lines
 * for it go to its `.jsonl`, which overrides it record by record: a folder written by an older Keel is
 * continued without being converted.
 *
 * Parsed segments are cached; a cached segment is brought up to date by reading only the bytes appended
 * since, which `fs.stat` tells (same inode, larger size).
 */
export class CheckpointSegments {
  readonly #layout: StoreLayout;
  readonly #documents: DocumentFiles;
  readonly #cachedSegments: number;
  readonly #cache = new Map<string, CachedSegment>();

  constructor(layout: StoreLayout, documents: DocumentFiles, cachedSegments: number) {
    this.#layout = layout;
    this.#documents = documents;
    this.#cachedSegments = cachedSegments;
  }

  /**
   * The segment's records sorted by `seq`, or `null` when the execution has no such segment. Shared with
   * the cache: callers copy before handing them out.
   */
  async read(executionId: string, segment: number): Promise<readonly CheckpointRecord[] | null> {
    const base = await this.#documents.read(this.#layout.checkpointSegmentDocument(executionId, segment), checkpointSegmentShape);
    const appended = this.#readLog(this.#layout.checkpointSegmentLog(executionId, segment));
    if (appended === undefined) return base === null ? null : [...base].sort(bySeq);
    if (base === null || base.length === 0) return (appended.sorted ??= [...appended.records.values()].sort(bySeq));
    const merged = new Map(base.map((record) => [record.id, record]));
    for (const [id, record] of appended.records) merged.set(id, record);
    return [...merged.values()].sort(bySeq);
  }

  /**
   * Appends `records` (all of this segment) and the removal of the ids in `removed`. The caller holds
   * the execution's lock, so no other process appends to the segment meanwhile.
   */
  async append(executionId: string, segment: number, records: readonly CheckpointRecord[], removed: readonly string[] = []): Promise<void> {
    const file = this.#layout.checkpointSegmentLog(executionId, segment);
    if (!this.#cache.has(file)) {
      // The first write of the segment from this process: a damaged format-1 document fails it here, as
      // it fails every read, rather than being silently overridden.
      await this.#documents.read(this.#layout.checkpointSegmentDocument(executionId, segment), checkpointSegmentShape);
    }
    const lines = [...removed.map((id) => JSON.stringify({ id, removed: true } satisfies RemovedLine)), ...records.map((record) => JSON.stringify(record))];
    // Cached as parsed back from their lines, so they share nothing with the caller's objects.
    const stored = records.map((_, index) => JSON.parse(lines[removed.length + index]!) as CheckpointRecord);
    const descriptor = openForAppend(file);
    try {
      let cached = this.#cache.get(file);
      const stats = fstatSync(descriptor);
      // Another process appended (or this one never read the file): catch up, which also finds a torn last line.
      if (!isCurrent(cached, stats)) cached = this.#load(file, descriptor, stats, cached);
      appendLines(file, descriptor, cached, stats.size, lines, (tail) => parseTail(file, tail, cached) !== undefined);
      for (const id of removed) cached.records.delete(id);
      for (const record of stored) cached.records.set(record.id, record);
      cached.sorted = undefined;
    } finally {
      closeSync(descriptor);
    }
  }

  /** Drops every cached segment. */
  forget(): void {
    this.#cache.clear();
  }

  /** The `.jsonl` segment as cached and brought up to date, or `undefined` when the file does not exist. */
  #readLog(file: string): CachedSegment | undefined {
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) {
      this.#cache.delete(file);
      return undefined;
    }
    const cached = this.#cache.get(file);
    if (isCurrent(cached, stats)) return this.#touch(file, cached);
    const descriptor = openSync(file, 'r');
    try {
      return this.#load(file, descriptor, fstatSync(descriptor), cached);
    } finally {
      closeSync(descriptor);
    }
  }

  /** Reads what `cached` has not seen of the open file (all of it for a new inode) and caches the result. */
  #load(file: string, descriptor: number, stats: Stats, cached: CachedSegment | undefined): CachedSegment {
    const segment: CachedSegment =
      cached !== undefined && canContinue(cached, stats) ? cached : { ...startOfFile(stats), records: new Map(), sorted: undefined };
    const tail = readNewLines(descriptor, segment, stats, (line, _offset, lineNumber) => {
      applyLine(segment.records, parseLine(file, line.toString('utf8'), lineNumber, false)!);
    });
    // A whole record that lacks only its newline is read (the next append writes the newline first).
    const last = parseTail(file, tail, segment);
    if (last !== undefined) applyLine(segment.records, last);
    segment.sorted = undefined;
    return this.#touch(file, segment);
  }

  #touch(file: string, segment: CachedSegment): CachedSegment {
    // Re-inserting keeps the map in least-recently-used order.
    this.#cache.delete(file);
    this.#cache.set(file, segment);
    if (this.#cache.size > this.#cachedSegments) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return segment;
  }
}

/** The line after the segment's last newline as a record or removal, or `undefined` when there is none or it is torn. */
function parseTail(file: string, tail: Buffer, segment: ReadProgress): CheckpointRecord | RemovedLine | undefined {
  const text = tail.toString('utf8');
  return text.trim() === '' ? undefined : parseLine(file, text, segment.lines + 1, true);
}

/**
 * A line as a record or a removal. For the last line of the file (`last`), `undefined` means a torn
 * append; for any other line, a line that is not one of ours fails with {@link StoreCorruptedError}.
 */
function parseLine(file: string, line: string, lineNumber: number, last: boolean): CheckpointRecord | RemovedLine | undefined {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (error) {
    if (last) return undefined;
    throw new StoreCorruptedError({ location: file, detail: `line ${lineNumber} is not valid JSON: ${(error as Error).message}`, cause: error });
  }
  if (isRecordLine(data)) return data;
  if (last) return undefined;
  throw new StoreCorruptedError({ location: file, detail: `line ${lineNumber} is not a checkpoint record (expected a string "id" and an integer "seq")` });
}

function isRecordLine(data: unknown): data is CheckpointRecord | RemovedLine {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const line = data as Record<string, unknown>;
  return typeof line.id === 'string' && (line.removed === true || Number.isInteger(line.seq));
}

function applyLine(records: Map<string, CheckpointRecord>, line: CheckpointRecord | RemovedLine): void {
  if ('removed' in line) records.delete(line.id);
  else records.set(line.id, line);
}

function bySeq(a: CheckpointRecord, b: CheckpointRecord): number {
  return a.seq - b.seq;
}
