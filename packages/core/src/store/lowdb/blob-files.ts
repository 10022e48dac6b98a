import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import { contentHash } from '../../serialization/content-hash.js';
import type { StoreLayout } from './store-layout.js';

/**
 * Content-addressed blobs, one file each, named by the SHA-256 of their content. A blob file is written
 * once and never changed, so it needs no lock.
 *
 * A new blob is created with one exclusive write (`wx`), not a temporary file renamed into place: a
 * checkpoint stores its output blob before its record, so no record can point at a blob whose first
 * write has not finished, and a rename per blob is work the store does not need. What a crash can leave
 * is a torn blob, a file holding the start of its content. A later put of the same content finds it
 * (it is shorter than the content, and a prefix of it) and replaces it atomically with temp + rename,
 * the same way whether its writer died or is still writing (that writer's bytes go to the replaced
 * file). A reader of a torn blob gets {@link StoreCorruptedError} (its content does not hash to its
 * name), which only a blob no record points to yet can be.
 */
export class BlobFiles {
  readonly #layout: StoreLayout;
  // Blob files never change once written, so a blob seen once needs no further file system call.
  // (Cleared when it grows large, which only costs a `stat` per blob afterwards.)
  readonly #known = new Set<string>();

  constructor(layout: StoreLayout) {
    this.#layout = layout;
  }

  /**
   * Stores `content` under `hash` unless a file for it exists.
   * @throws when `hash` is not the `sha256:<hex>` of `content`; {@link StoreCorruptedError} when the
   *   existing file is damaged otherwise than torn (longer than the content, or not its start): it is
   *   left as it is.
   */
  async put(hash: string, content: string): Promise<void> {
    if (this.#known.has(hash)) return;
    const file = this.#layout.blobFile(hash);
    if (file === undefined) throw new Error(`lowdb store: "${hash}" is not a blob hash (expected sha256:<64 lowercase hex>).`);
    if (contentHash(content) !== hash) {
      throw new Error(`lowdb store: the content given for blob ${hash} has another hash (${contentHash(content)}).`);
    }
    // Synchronous for the reason given in `file-locks.ts`.
    if (!createExclusive(file, content)) {
      const held = statSync(file, { throwIfNoEntry: false })?.size;
      const size = Buffer.byteLength(content);
      // Same size: trusted without reading it, since a write cut short leaves fewer bytes.
      if (held !== size) {
        const state = held === undefined ? 'gone' : compare(file, content);
        if (state === 'gone' || state === 'torn') replace(file, content);
        else if (state === 'damaged') {
          throw new StoreCorruptedError({ location: file, detail: `the blob holds ${held} bytes that are not its content (${size} bytes)` });
        }
      }
    }
    this.#remember(hash);
  }

  /**
   * The content stored under `hash`, or `null`.
   * @throws {@link StoreCorruptedError} when the file's content does not match its hash.
   */
  async get(hash: string): Promise<string | null> {
    const file = this.#layout.blobFile(hash);
    if (file === undefined) return null;
    let content: string;
    try {
      // Blobs are small and read one after another by a resuming flow: a synchronous read is one
      // system call round, where the promise API makes four trips through the thread pool.
      content = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const actual = contentHash(content);
    if (actual !== hash) {
      throw new StoreCorruptedError({ location: file, detail: `its content hashes to ${actual}, not to its name` });
    }
    this.#remember(hash);
    return content;
  }

  #remember(hash: string): void {
    if (this.#known.size >= 100_000) this.#known.clear();
    this.#known.add(hash);
  }

  /** Forgets which blobs were seen. */
  forget(): void {
    this.#known.clear();
  }
}

/** Creates `file` holding `content` (and its folder if needed); `false` when the file exists already. */
function createExclusive(file: string, content: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, content, { flag: 'wx' });
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'ENOENT' || attempt > 0) throw error;
    }
    mkdirSync(dirname(file), { recursive: true });
  }
}

/**
 * What `file` holds beside `content`: all of it (another writer finished it meanwhile), a start of it
 * (`torn`: what a write cut short leaves, or one still under way), nothing (`gone`), or anything else.
 */
function compare(file: string, content: string): 'whole' | 'torn' | 'gone' | 'damaged' {
  let held: Buffer;
  try {
    held = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  const bytes = Buffer.from(content);
  if (held.equals(bytes)) return 'whole';
  return held.length < bytes.length && bytes.subarray(0, held.length).equals(held) ? 'torn' : 'damaged';
}

/** Replaces `file` with `content` atomically: a temporary file renamed over it. */
function replace(file: string, content: string): void {
  // A name unique to this write, so that concurrent writers of the same blob never share a temporary file.
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  writeFileSync(temporary, content, { flag: 'wx' });
  try {
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // The rename's error is the one worth reporting.
    }
    throw error;
  }
}
