import { statSync, type Stats } from 'node:fs';
import { TextFileSync } from 'lowdb/node';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import type { DocumentShape } from './document-shapes.js';
import type { FileLocks } from './file-locks.js';
import { KeyedMutex } from './keyed-mutex.js';

/** What an update does with a document: the value to write (none: leave the file alone) and the result. */
export interface DocumentChange<T, R> {
  readonly next?: T;
  readonly result: R;
}

/** How {@link DocumentFiles} caches and locks. */
export interface DocumentFilesOptions {
  /** The locks every read-modify-write takes. */
  readonly locks: FileLocks;
  /** How many parsed documents stay in memory (least recently used ones are dropped first). */
  readonly cachedDocuments: number;
}

/** A parsed document and the identity of the file it was parsed from. */
interface CachedDocument {
  readonly signature: string;
  readonly data: unknown;
}

/**
 * The JSON documents of a store folder. Each one is read through an in-memory cache, changed only
 * under its lock, and written atomically by lowdb's `TextFileSync` adapter (a temporary file renamed
 * over the document, so a reader sees the old or the new file, never a partial one; the temporary
 * file's name is fixed per document, which is safe because only the lock holder writes it).
 *
 * The cache is what keeps a write cheap: a document is parsed again only when its file changed, which
 * `fs.stat` tells (inode, size and modification time; every write renames a new inode into place), so
 * a document changed by another process is re-read and an unchanged one is not.
 *
 * A missing file is an empty document (`null`). A file that does not parse or has the wrong shape
 * fails with {@link StoreCorruptedError} and is never written over.
 *
 * Documents returned by {@link read} are shared with the cache: callers copy before they hand them out
 * and never mutate them.
 *
 * File operations are synchronous for the reason given in `file-locks.ts`: a document write is a dozen
 * calls of a few microseconds each, which the thread pool would make ten times slower.
 */
export class DocumentFiles {
  readonly #options: DocumentFilesOptions;
  readonly #cache = new Map<string, CachedDocument>();
  readonly #mutex = new KeyedMutex();
  /** The JSON line of each item of a list document, so a write serializes only the items that changed. */
  readonly #lines = new WeakMap<object, string>();

  constructor(options: DocumentFilesOptions) {
    this.#options = options;
  }

  /** The document in `file`, or `null` when the file does not exist. */
  async read<T>(file: string, shape: DocumentShape<T>): Promise<T | null> {
    return this.#read(file, shape);
  }

  /**
   * Reads the document under its lock, passes it to `change`, and writes `change`'s `next` if it gave
   * one, before releasing the lock. Updates of one file from this process run one at a time, in order.
   */
  update<T, R>(file: string, shape: DocumentShape<T>, change: (current: T | null) => DocumentChange<T, R>): Promise<R> {
    return this.#mutex.run(file, () =>
      this.#options.locks.run(file, async () => {
        const { next, result } = change(this.#read(file, shape));
        if (next !== undefined) {
          new TextFileSync(file).write(this.#serialize(next));
          // Still under the lock, so the file is the one just written.
          this.#remember(file, signatureOf(statSync(file)), next);
        }
        return result;
      }),
    );
  }

  /**
   * Runs `action` with the document read under its lock, held until `action` settles: what `action`
   * writes (to other files: an execution's checkpoint segments) happens before anyone can change this
   * one. Nothing is written to it.
   */
  guard<T, R>(file: string, shape: DocumentShape<T>, action: (current: T | null) => Promise<R>): Promise<R> {
    return this.#mutex.run(file, () => this.#options.locks.run(file, () => action(this.#read(file, shape))));
  }

  /** Settles once every update started so far has settled. */
  idle(): Promise<void> {
    return this.#mutex.idle();
  }

  /** Drops every cached document. */
  forget(): void {
    this.#cache.clear();
  }

  #read<T>(file: string, shape: DocumentShape<T>): T | null {
    let stats: Stats | undefined;
    try {
      stats = statSync(file, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR: a file stands where a folder of the path would be, so the document does not exist either.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    }
    if (stats === undefined) {
      this.#cache.delete(file);
      return null;
    }
    const signature = signatureOf(stats);
    const cached = this.#cache.get(file);
    if (cached?.signature === signature) {
      // Re-inserting keeps the map in least-recently-used order.
      this.#cache.delete(file);
      this.#cache.set(file, cached);
      return cached.data as T;
    }
    // Stat before read: if another process replaces the file in between, the newer content is cached
    // under the older signature, which only costs one extra parse on the next read (never a stale hit).
    const text = new TextFileSync(file).read();
    if (text === null) {
      this.#cache.delete(file);
      return null;
    }
    const data = parse(file, text, shape);
    this.#remember(file, signature, data);
    return data;
  }

  /**
   * A list is written one item per line (`[`, items, `]`): a readable file in which the unchanged items
   * of a list reuse the line they had, because the store replaces changed items and keeps the others'
   * objects. This is what keeps rewriting a 500-line log segment cheap. Other documents are indented.
   */
  #serialize(document: unknown): string {
    if (!Array.isArray(document)) return `${JSON.stringify(document, null, 2)}\n`;
    const lines = document.map((item: unknown) => {
      if (typeof item !== 'object' || item === null) return JSON.stringify(item);
      let line = this.#lines.get(item);
      if (line === undefined) this.#lines.set(item, (line = JSON.stringify(item)));
      return line;
    });
    return lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`;
  }

  #remember(file: string, signature: string, data: unknown): void {
    this.#cache.delete(file);
    this.#cache.set(file, { signature, data });
    if (this.#cache.size > this.#options.cachedDocuments) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}

function signatureOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function parse<T>(file: string, text: string, shape: DocumentShape<T>): T {
  if (text.trim() === '') throw new StoreCorruptedError({ location: file, detail: 'the file is empty' });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new StoreCorruptedError({
      location: file,
      detail: `invalid JSON: ${(error as Error).message}`,
      cause: error,
    });
  }
  const problem = shape.problem(data);
  if (problem !== undefined) throw new StoreCorruptedError({ location: file, detail: problem });
  return data as T;
}
