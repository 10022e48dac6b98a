import { join } from 'node:path';

/** How many checkpoint records one `checkpoints-<n>` segment holds at most (segment = ⌊seq / 128⌋). */
export const checkpointsPerSegment = 128;

/** How many log lines one `logs-<n>.json` segment holds; a segment is full before the next one starts. */
export const logLinesPerSegment = 500;

/**
 * The folder format this code writes, recorded in `keel-store.json`. It reads every earlier version:
 * 2 appends checkpoint records to `checkpoints-<n>.jsonl` segments, where 1 rewrote `checkpoints-<n>.json`;
 * 3 appends blobs to `blobs/<first 2 hex>.pack`, where 1 and 2 wrote a file per blob.
 */
export const storeFormat = { format: 'keel-lowdb', version: 3 } as const;

// Execution ids name folders, and the folder names must sort like the ids, so an id is used as it is
// (never escaped) and anything that is not a portable, harmless file name is refused.
const safeExecutionId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const blobHash = /^sha256:([0-9a-f]{64})$/;

/**
 * Where each file of a lowdb store folder lives:
 *
 * ```
 * <root>/keel-store.json                          { "format": "keel-lowdb", "version": 3 }
 * <root>/deployments.json                         deployed flow versions and their tags
 * <root>/executions/<executionId>/execution.json  the execution record
 *                                 checkpoints-<n>.jsonl  records with ⌊seq / 128⌋ = n, one per line, appended
 *                                 checkpoints-<n>.json   the same in format 1 (one array), read, never written
 *                                 waits.json      waits in creation order
 *                                 artifacts.json  artifacts in first-saved order
 *                                 logs-<n>.json   log lines 500·n … 500·n + 499
 * <root>/blobs/<first 2 hex>.pack                  blobs whose hash starts so, one {"hash","content"} per line, appended
 * <root>/blobs/<first 2 hex>/<hex>                 a blob in format 1 and 2 (one file each), read, never written
 * <root>/locks/<pid>-<uuid>.owner                 pid and host of a process using the store
 * ```
 *
 * A document or pack `<file>` being updated has a lock `<file>.lock` beside it (see `FileLocks`), except the
 * checkpoint segments, which change only under their execution's `execution.json.lock` (so a fenced
 * checkpoint write, which checks the lease in `execution.json`, takes one lock).
 */
export class StoreLayout {
  /** The absolute folder of the store. */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get markerFile(): string {
    return join(this.root, 'keel-store.json');
  }

  /** Deployed flow versions and tags: few, small, and changed rarely, so one document holds them all. */
  get deploymentsFile(): string {
    return join(this.root, 'deployments.json');
  }

  /** Holds one owner file per process using the store, which its document locks link to. */
  get locksDirectory(): string {
    return join(this.root, 'locks');
  }

  get executionsDirectory(): string {
    return join(this.root, 'executions');
  }

  executionDirectory(executionId: string): string {
    return join(this.root, 'executions', executionId);
  }

  executionFile(executionId: string): string {
    return join(this.executionDirectory(executionId), 'execution.json');
  }

  /** A segment's appended records (format 2). */
  checkpointSegmentLog(executionId: string, segment: number): string {
    return join(this.executionDirectory(executionId), `checkpoints-${segment}.jsonl`);
  }

  /** A segment as format 1 wrote it (one JSON array): read, and overridden by its `.jsonl`. */
  checkpointSegmentDocument(executionId: string, segment: number): string {
    return join(this.executionDirectory(executionId), `checkpoints-${segment}.json`);
  }

  waitsFile(executionId: string): string {
    return join(this.executionDirectory(executionId), 'waits.json');
  }

  artifactsFile(executionId: string): string {
    return join(this.executionDirectory(executionId), 'artifacts.json');
  }

  logSegmentFile(executionId: string, segment: number): string {
    return join(this.executionDirectory(executionId), `logs-${segment}.json`);
  }

  /** The pack that holds the blob (format 3), or `undefined` when `hash` is not a `sha256:<64 hex>` content hash. */
  blobPack(hash: string): string | undefined {
    const hex = blobHash.exec(hash)?.[1];
    return hex === undefined ? undefined : join(this.root, 'blobs', `${hex.slice(0, 2)}.pack`);
  }

  /** The blob's own file as formats 1 and 2 wrote it, or `undefined` when `hash` is not a content hash. */
  blobFile(hash: string): string | undefined {
    const hex = blobHash.exec(hash)?.[1];
    return hex === undefined ? undefined : join(this.root, 'blobs', hex.slice(0, 2), hex);
  }
}

/** Whether `id` can name an execution folder: 1–200 letters, digits, `.`, `_`, `-`, not starting with a dot or dash. */
export function isSafeExecutionId(id: string): boolean {
  return safeExecutionId.test(id);
}

/** The `n` of a `<prefix>-<n>.json` (or, for checkpoints, `.jsonl`) segment file name, or `undefined` for any other file. */
export function segmentNumber(fileName: string, prefix: 'checkpoints' | 'logs'): number | undefined {
  if (!fileName.startsWith(`${prefix}-`)) return undefined;
  const extension = fileName.endsWith('.json') ? '.json' : prefix === 'checkpoints' && fileName.endsWith('.jsonl') ? '.jsonl' : undefined;
  if (extension === undefined) return undefined;
  const digits = fileName.slice(prefix.length + 1, -extension.length);
  return /^(0|[1-9][0-9]*)$/.test(digits) ? Number(digits) : undefined;
}
