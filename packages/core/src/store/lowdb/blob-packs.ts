import { closeSync, fstatSync, openSync, type Stats } from 'node:fs';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import { contentHash } from '../../serialization/content-hash.js';
import { appendLines, canContinue, isCurrent, openForAppend, readFrom, readNewLines, startOfFile, type ReadProgress } from './appended-lines.js';
import type { FileLocks } from './file-locks.js';
import type { StoreLayout } from './store-layout.js';

/** Where a blob's line is in its pack. */
interface BlobLine {
  /** Byte offset of the line's start. */
  readonly offset: number;
  /** Bytes of the line, without its newline. */
  readonly length: number;
  readonly lineNumber: number;
}

/** A pack as this process last read it. */
interface CachedPack extends ReadProgress {
  readonly blobs: Map<string, BlobLine>;
}

/** A blob's line: `{"hash":"sha256:<64 hex>","content":` then the content as a JSON string and `}`. */
const linePrefix = /^\{"hash":"(sha256:[0-9a-f]{64})","content":$/;
const linePrefixLength = '{"hash":"'.length + 'sha256:'.length + 64 + '","content":'.length;

/**
 * Content-addressed blobs, appended to packs (since store format 3): `blobs/<first 2 hex>.pack`, a JSON
 * Lines file with one `{"hash","content"}` line per blob, only ever appended to (see `appended-lines.ts`).
 *
 * A blob used to be a file of its own. Creating a file allocates an inode, which on ext4 costs up to
 * half a millisecond when the disk is busy and was the largest cost of a checkpoint on this store;
 * appending a line under a lock allocates nothing, and a 1 KB blob no longer takes a 4 KB block.
 *
 * A pack is appended to under its own lock (`<pack>.lock`); its blobs are found through an index of
 * where each line starts, built by reading the pack once (only the first bytes of each line are looked
 * at) and then only what was appended since. A process therefore reads, the first time it looks for a
 * blob in a pack, the whole pack: 1/256 of the store's blob bytes. A blob's content is checked against
 * its hash when it is read.
 */
export class BlobPacks {
  readonly #layout: StoreLayout;
  readonly #locks: FileLocks;
  readonly #cache = new Map<string, CachedPack>();

  constructor(layout: StoreLayout, locks: FileLocks) {
    this.#layout = layout;
    this.#locks = locks;
  }

  /**
   * Appends `content` to its pack unless the pack holds `hash` already.
   * @throws when `hash` is not the `sha256:<hex>` of `content`; {@link StoreCorruptedError} when a line
   *   of the pack before its last is damaged (the pack is left as it is).
   */
  async put(hash: string, content: string): Promise<void> {
    const file = this.#layout.blobPack(hash);
    if (file === undefined) throw new Error(`lowdb store: "${hash}" is not a blob hash (expected sha256:<64 lowercase hex>).`);
    if (this.#cache.get(file)?.blobs.has(hash)) return;
    const actual = contentHash(content);
    if (actual !== hash) throw new Error(`lowdb store: the content given for blob ${hash} has another hash (${actual}).`);
    const line = JSON.stringify({ hash, content });
    await this.#locks.run(file, async () => {
      // Synchronous for the reason given in `file-locks.ts`.
      const descriptor = openForAppend(file);
      try {
        const stats = fstatSync(descriptor);
        const pack = this.#current(file, descriptor, stats);
        // Another process may have stored it since this one last looked.
        if (pack.blobs.has(hash)) return;
        const offset = appendLines(file, descriptor, pack, stats.size, [line], (tail) => parseWholeLine(tail) !== undefined);
        pack.blobs.set(hash, { offset, length: Buffer.byteLength(line), lineNumber: pack.lines });
      } finally {
        closeSync(descriptor);
      }
    });
  }

  /**
   * The contents of those of `hashes` that a pack holds, read with one open file per pack.
   * @throws {@link StoreCorruptedError} when a blob's line is damaged or its content does not match its hash.
   */
  getMany(hashes: Iterable<string>): Map<string, string> {
    const byPack = new Map<string, string[]>();
    for (const hash of hashes) {
      const file = this.#layout.blobPack(hash);
      if (file === undefined) continue;
      const group = byPack.get(file);
      if (group === undefined) byPack.set(file, [hash]);
      else group.push(hash);
    }
    const found = new Map<string, string>();
    for (const [file, wanted] of byPack) {
      let descriptor: number;
      try {
        descriptor = openSync(file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      try {
        // Checked against the file even when every blob is indexed: a pack edited by hand is read again.
        const pack = this.#current(file, descriptor, fstatSync(descriptor));
        for (const hash of wanted) {
          const line = pack.blobs.get(hash);
          if (line !== undefined) found.set(hash, readBlob(file, descriptor, hash, line));
        }
      } finally {
        closeSync(descriptor);
      }
    }
    return found;
  }

  /** Drops every cached index. */
  forget(): void {
    this.#cache.clear();
  }

  /** The pack's index, brought up to date with the open file: only what was appended since is read. */
  #current(file: string, descriptor: number, stats: Stats): CachedPack {
    const cached = this.#cache.get(file);
    if (isCurrent(cached, stats)) return cached;
    const pack: CachedPack = cached !== undefined && canContinue(cached, stats) ? cached : { ...startOfFile(stats), blobs: new Map() };
    const tail = readNewLines(descriptor, pack, stats, (line, offset, lineNumber) => {
      pack.blobs.set(hashOfLine(file, line, lineNumber), { offset, length: line.length, lineNumber });
    });
    // A whole line that lacks only its newline holds a whole blob (the next append writes the newline first).
    const whole = parseWholeLine(tail);
    if (whole !== undefined) pack.blobs.set(whole.hash, { offset: pack.consumed, length: tail.length, lineNumber: pack.lines + 1 });
    this.#cache.set(file, pack);
    return pack;
  }
}

/** The hash a pack line names, read from its first bytes; a line that is not a blob's fails. */
function hashOfLine(file: string, line: Buffer, lineNumber: number): string {
  const hash = linePrefix.exec(line.toString('latin1', 0, linePrefixLength))?.[1];
  if (hash === undefined || line.at(-1) !== 0x7d) {
    throw new StoreCorruptedError({ location: file, detail: `line ${lineNumber} is not a blob (expected {"hash":"sha256:<64 hex>","content":"…"})` });
  }
  return hash;
}

/** The blob of a line that lacks its newline, or `undefined` when the line is torn (or blank). */
function parseWholeLine(tail: Buffer): { hash: string; content: string } | undefined {
  if (tail.length === 0 || linePrefix.exec(tail.toString('latin1', 0, linePrefixLength)) === null) return undefined;
  try {
    const blob = JSON.parse(tail.toString('utf8')) as { hash?: unknown; content?: unknown };
    return typeof blob.hash === 'string' && typeof blob.content === 'string' ? { hash: blob.hash, content: blob.content } : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a blob's line and checks that its content hashes to `hash`. */
function readBlob(file: string, descriptor: number, hash: string, line: BlobLine): string {
  const damaged = (detail: string, cause?: unknown): StoreCorruptedError =>
    new StoreCorruptedError({ location: file, detail: `line ${line.lineNumber} (blob ${hash}) ${detail}`, cause });
  let blob: { content?: unknown };
  try {
    blob = JSON.parse(readFrom(descriptor, line.offset, line.length).toString('utf8')) as { content?: unknown };
  } catch (error) {
    throw damaged(`is not valid JSON: ${(error as Error).message}`, error);
  }
  if (typeof blob.content !== 'string') throw damaged('has no string "content"');
  const actual = contentHash(blob.content);
  if (actual !== hash) throw damaged(`holds content that hashes to ${actual}`);
  return blob.content;
}
