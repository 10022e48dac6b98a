import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import type { CheckpointRecord } from '../records.js';
import type { DocumentFiles } from './document-files.js';
import { checkpointSegmentShape } from './document-shapes.js';
import type { StoreLayout } from './store-layout.js';

/** A segment as this process last read it. */
interface CachedSegment {
  /** Identity of the `.jsonl` file read (`<ino>`); appends keep it, so a new inode means a new file. */
  readonly inode: number;
  /** Bytes of the file read so far: up to and including its last complete line. */
  consumed: number;
  /** Lines in those bytes, so that a damaged line is named by its number. */
  lines: number;
  /** Size and modification time of the file when it was last read or written by this process. */
  signature: string;
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
 * A line is appended with one `write` under the execution's lock, so readers without the lock see whole
 * lines, and at most a last one still being written. A last line without its newline that does not
 * parse is an append a crash cut short (its write never returned, so nothing depends on it): readers
 * skip it, and the next writer cuts it off before appending. Any other line that does not parse fails
 * with {@link StoreCorruptedError} naming the file and line, and the file is left as it is.
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
      const before = fstatSync(descriptor);
      if (!isCurrent(cached, before)) {
        // Another process appended (or this one never read the file): catch up, which also finds a torn last line.
        cached = this.#load(file, descriptor, before, cached);
      }
      // A torn last line is cut off; a whole one that lacks its newline (edited by hand) gets one.
      const start = cached.consumed < before.size ? endTornLine(file, descriptor, cached, before.size) : before.size;
      writeWhole(file, descriptor, `${start > cached.consumed ? '\n' : ''}${lines.join('\n')}\n`, start);
      for (const id of removed) cached.records.delete(id);
      for (const record of stored) cached.records.set(record.id, record);
      cached.sorted = undefined;
      const after = fstatSync(descriptor);
      cached.lines += lines.length + (start > cached.consumed ? 1 : 0);
      cached.consumed = after.size;
      cached.signature = signatureOf(after);
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
    // A segment only grows (appends, and cuts of a torn last line that was never consumed), so the
    // bytes read before are still there unless the file was replaced or edited by hand.
    const resume = cached !== undefined && cached.inode === stats.ino && cached.consumed <= stats.size;
    const segment: CachedSegment = resume ? cached : { inode: stats.ino, consumed: 0, lines: 0, signature: '', records: new Map(), sorted: undefined };
    const text = readFrom(descriptor, segment.consumed, stats.size - segment.consumed);
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline !== -1) {
      for (const line of text.slice(0, lastNewline).split('\n')) {
        segment.lines++;
        if (line.trim() !== '') applyLine(segment.records, parseLine(file, line, segment.lines, false)!);
      }
      segment.consumed += Buffer.byteLength(text.slice(0, lastNewline + 1));
    }
    const tail = text.slice(lastNewline + 1);
    // A whole record that lacks only its newline is read (the next append writes the newline first).
    const last = tail.trim() === '' ? undefined : parseLine(file, tail, segment.lines + 1, true);
    if (last !== undefined) applyLine(segment.records, last);
    segment.signature = signatureOf(stats);
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

/** Opens `file` for appending (and reading what it holds), creating it and its folder when needed. */
function openForAppend(file: string): number {
  try {
    return openSync(file, 'a+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(file), { recursive: true });
    return openSync(file, 'a+');
  }
}

/**
 * Deals with the bytes after the segment's last complete line before an append: a record that lacks
 * only its newline is kept (the append writes the newline first), anything else is a torn append and is
 * cut off. Returns the file's size after that.
 */
function endTornLine(file: string, descriptor: number, segment: CachedSegment, size: number): number {
  const tail = readFrom(descriptor, segment.consumed, size - segment.consumed);
  if (tail.trim() !== '' && parseLine(file, tail, segment.lines + 1, true) !== undefined) return size;
  ftruncateSync(descriptor, segment.consumed);
  return segment.consumed;
}

/** Appends all of `text`; if that fails, cuts the file back to its size before (`start`) and rethrows. */
function writeWhole(file: string, descriptor: number, text: string, start: number): void {
  const bytes = Buffer.from(text);
  try {
    // A regular file takes the whole buffer in one call, short of a full disk.
    for (let written = 0; written < bytes.length;) written += writeSync(descriptor, bytes, written);
  } catch (error) {
    try {
      ftruncateSync(descriptor, start);
    } catch {
      // The write's error is the one worth reporting; the torn line is cut by the next append.
    }
    throw new Error(`lowdb store: could not append to ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function readFrom(descriptor: number, position: number, length: number): string {
  if (length <= 0) return '';
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const count = readSync(descriptor, buffer, read, length - read, position + read);
    if (count === 0) break;
    read += count;
  }
  return buffer.toString('utf8', 0, read);
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

/** Whether `cached` holds everything the file described by `stats` holds (nobody appended since). */
function isCurrent(cached: CachedSegment | undefined, stats: Stats): cached is CachedSegment {
  return cached !== undefined && cached.inode === stats.ino && cached.signature === signatureOf(stats);
}

function signatureOf(stats: Stats): string {
  return `${stats.size}:${stats.mtimeMs}`;
}

function bySeq(a: CheckpointRecord, b: CheckpointRecord): number {
  return a.seq - b.seq;
}
