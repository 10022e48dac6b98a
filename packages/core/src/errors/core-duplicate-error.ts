import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A loaded copy of `@keel/core`: its version and the folder it was loaded from. */
export interface CoreCopyLocation {
  readonly version: string;
  readonly path: string;
}

/**
 * Two copies of `@keel/core` are loaded in one process, and a flow running in one of them called into
 * the other (typically an adapter or store package that got its own copy). Core keeps the running flow
 * in module state, so the second copy cannot see it: a checkpoint there would not be recorded in the
 * flow's execution, and an adapter would open a separate execution of its own.
 */
export class CoreDuplicateError extends KeelError {
  /** The copy the flow runs in. */
  readonly running: CoreCopyLocation;
  /** The copy the call reached. */
  readonly called: CoreCopyLocation;

  constructor({ running, called }: { running: CoreCopyLocation; called: CoreCopyLocation }) {
    super(
      `Two copies of @keel/core are loaded: a flow runs in ${running.version} at ${running.path}, and this call reached ${called.version} at ${called.path}, ` +
        'which cannot see that flow (its checkpoints would not be recorded in the execution). Install one copy: make every @keel package use the ' +
        "project's @keel/core (one version in package.json, then `npm dedupe` or `pnpm dedupe`); `npm ls @keel/core` or `pnpm why @keel/core` shows which package brings the other.",
    );
    this.running = running;
    this.called = called;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'CoreDuplicateError';

  static override isInstance = isKeelErrorNamed<CoreDuplicateError>('CoreDuplicateError');
}
