import { readFileSync } from 'node:fs';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import { contentHash } from '../../serialization/content-hash.js';
import type { StoreLayout } from './store-layout.js';

/**
 * Blobs as store formats 1 and 2 wrote them: one file each, `blobs/<first 2 hex>/<hex>`, named by the
 * SHA-256 of its content. Read, never written: new blobs go to packs (see `BlobPacks`), and a folder
 * written by an older Keel keeps its blob files as they are.
 */
export class LooseBlobFiles {
  readonly #layout: StoreLayout;

  constructor(layout: StoreLayout) {
    this.#layout = layout;
  }

  /**
   * The content of the blob's file, or `null` when there is none.
   * @throws {@link StoreCorruptedError} when the file's content does not match its hash (a torn write
   *   of an older Keel, or damage).
   */
  get(hash: string): string | null {
    const file = this.#layout.blobFile(hash);
    if (file === undefined) return null;
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const actual = contentHash(content);
    if (actual !== hash) {
      throw new StoreCorruptedError({ location: file, detail: `its content hashes to ${actual}, not to its name` });
    }
    return content;
  }
}
