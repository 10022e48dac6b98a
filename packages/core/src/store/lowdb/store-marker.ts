import { randomUUID } from 'node:crypto';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import type { DocumentFiles } from './document-files.js';
import { markerShape } from './document-shapes.js';
import { storeFormat, type StoreLayout } from './store-layout.js';
import { StoreFormatError } from './store-format-error.js';

/**
 * The `keel-store.json` file that says a folder is a Keel lowdb store and in which format version, so a
 * future format can be told apart and an older Keel refuses it instead of misreading it.
 */
export class StoreMarker {
  readonly #layout: StoreLayout;
  readonly #documents: DocumentFiles;
  #checked: Promise<void> | undefined;
  #written: Promise<void> | undefined;

  constructor(layout: StoreLayout, documents: DocumentFiles) {
    this.#layout = layout;
    this.#documents = documents;
  }

  /** Before a read: fails when the folder holds a format this code does not read. Checks once. */
  checked(): Promise<void> {
    return (this.#checked ??= this.#check().then(() => undefined));
  }

  /** Before a write: also creates the folder and the marker when they do not exist yet. Once. */
  written(): Promise<void> {
    return (this.#written ??= this.#write());
  }

  async #check(): Promise<boolean> {
    const marker = await this.#documents.read(this.#layout.markerFile, markerShape);
    if (marker === null) return false;
    if (marker.format !== storeFormat.format) {
      throw new StoreCorruptedError({
        location: this.#layout.markerFile,
        detail: `its format is "${marker.format}", not "${storeFormat.format}"`,
      });
    }
    if (marker.version > storeFormat.version) {
      throw new StoreFormatError({
        location: this.#layout.markerFile,
        version: marker.version,
        supportedVersion: storeFormat.version,
      });
    }
    return true;
  }

  async #write(): Promise<void> {
    if (await this.#check()) return;
    await mkdir(this.#layout.root, { recursive: true });
    // Written aside, then linked into place: `link` fails when the marker exists, so when two processes
    // start on a new folder at once one creates it and the other checks it, and no process ever reads a
    // marker that is half written.
    const temporary = `${this.#layout.markerFile}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(storeFormat, null, 2)}\n`, { flag: 'wx' });
    try {
      await link(temporary, this.#layout.markerFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await this.#check();
    } finally {
      await unlink(temporary);
    }
  }
}
