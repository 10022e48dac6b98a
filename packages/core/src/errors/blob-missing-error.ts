import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** What refers to a missing blob: the execution, and the checkpoint whose output it holds, when known. */
export interface BlobReferrer {
  readonly executionId: string;
  readonly checkpointId?: string;
}

/**
 * A record refers to a blob that its store does not have (the store was copied partially, or blobs were
 * deleted). Keel changed nothing; the execution can continue once the blob is back.
 */
export class BlobMissingError extends KeelError {
  readonly hash: string;
  /** The store, as `store.location` names it. */
  readonly location: string;
  readonly executionId: string | undefined;
  readonly checkpointId: string | undefined;

  constructor({ hash, location, referrer }: { hash: string; location: string; referrer?: BlobReferrer }) {
    const owner = referrer?.checkpointId
      ? `the output of checkpoint "${referrer.checkpointId}" of execution "${referrer.executionId}"`
      : referrer
        ? `a record of execution "${referrer.executionId}"`
        : 'a record';
    super(
      `The blob ${hash} holding ${owner} is missing from the Keel store ${location}: the store was copied ` +
        'partially or its blobs were deleted. Keel did not modify anything. Restore the blob (or the whole store) ' +
        'from a backup, then resume or retry the execution.',
    );
    this.hash = hash;
    this.location = location;
    this.executionId = referrer?.executionId;
    this.checkpointId = referrer?.checkpointId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'BlobMissingError';

  static override isInstance = isKeelErrorNamed<BlobMissingError>('BlobMissingError');
}
