import { randomUUID } from 'node:crypto';
import { link, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { StoreCorruptedError } from '../../errors/store-corrupted-error.js';
import type { DocumentFiles } from './document-files.js';
import { markerShape } from './document-shapes.js';
import { storeFormat, type StoreLayout } from './store-layout.js';
import { StoreFormatError } from './store-format-error.js';

/**
 * The `keel-store.json` file that says a folder is a Keel lowdb store and in which format version, so a
 * future format can be told apart and an older Keel refuses it instead of misreading it.
 *
 * A folder of an earlier version is read as it is, and its marker is raised to this version on the
 * first write, before anything in the new format lands: from then on an older Keel refuses the folder
 * (it could not read what was appended) instead of missing records. A process of an older Keel that
 * checked the marker before it was raised does not see the change, so every process sharing a folder
 * is upgraded together.
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

  /** Before a write: also creates the folder and the marker when they do not exist yet, or raises an older marker. Once. */
  written(): Promise<void> {
    return (this.#written ??= this.#write());
  }

  /** The version found, or `undefined` when there is no marker; fails on a format or version this code does not read. */
  async #check(): Promise<number | undefined> {
    const marker = await this.#documents.read(this.#layout.markerFile, markerShape);
    if (marker === null) return undefined;
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
    return marker.version;
  }

  async #write(): Promise<void> {
    const found = await this.#check();
    if (found === storeFormat.version) return;
    await mkdir(this.#layout.root, { recursive: true });
    // Written aside, then moved into place, so no process ever reads a marker that is half written.
    const temporary = `${this.#layout.markerFile}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(storeFormat, null, 2)}\n`, { flag: 'wx' });
    if (found !== undefined) {
      // An older version: raised in place (processes raising it at once write the same file).
      await rename(temporary, this.#layout.markerFile);
      return;
    }
    // A new folder: `link` fails when the marker exists, so when two processes start on it at once one
    // creates the marker and the other checks it.
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
