import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import { contentHash } from '../../serialization/content-hash.js';
import type { StoreLayout } from './store-layout.js';

/**
 * Content-addressed blobs, one file each, named by the SHA-256 of their content. A blob file is written
 * once and never changed, so it needs no lock: two processes storing the same blob write the same
 * bytes, each to its own temporary file, and whichever rename lands last replaces identical content.
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
   *   existing file has the wrong size (it is left as it is).
   */
  async put(hash: string, content: string): Promise<void> {
    if (this.#known.has(hash)) return;
    const file = this.#layout.blobFile(hash);
    if (file === undefined) throw new Error(`lowdb store: "${hash}" is not a blob hash (expected sha256:<64 lowercase hex>).`);
    if (contentHash(content) !== hash) {
      throw new Error(`lowdb store: the content given for blob ${hash} has another hash (${contentHash(content)}).`);
    }
    // Synchronous for the reason given in `file-locks.ts`.
    const existing = statSync(file, { throwIfNoEntry: false });
    const size = Buffer.byteLength(content);
    if (existing === undefined) writeOnce(file, content);
    else if (existing.size !== size) {
      throw new StoreCorruptedError({ location: file, detail: `the blob holds ${existing.size} bytes, its content has ${size}` });
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

function writeOnce(file: string, content: string): void {
  const directory = dirname(file);
  // A name unique to this write, so that concurrent writers of the same blob never share a temporary file.
  const temporary = join(directory, `.${basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    writeFileSync(temporary, content, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(directory, { recursive: true });
    writeFileSync(temporary, content, { flag: 'wx' });
  }
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
