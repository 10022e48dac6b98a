import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** One complaint of a schema about an input value. */
export interface InputIssue {
  /** JSON Pointer-ish path inside the value (`/score`), empty for the value itself. */
  readonly path: string;
  readonly message: string;
}

/** The input given to a wait does not match its schema. Nothing was stored; the execution still waits. */
export class WaitInputInvalidError extends KeelError {
  readonly executionId: string;
  readonly waitId: string;
  readonly issues: readonly InputIssue[];

  constructor({ executionId, waitId, issues }: { executionId: string; waitId: string; issues: readonly InputIssue[] }) {
    super(
      `Input for wait "${waitId}" of execution "${executionId}" was refused: ` +
        issues.map((issue) => `${issue.path || '(value)'} ${issue.message}`).join('; ') +
        ". Nothing was changed; the execution is still waiting. Send a value that matches the wait's schema.",
    );
    this.executionId = executionId;
    this.waitId = waitId;
    this.issues = issues;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'WaitInputInvalidError';

  static override isInstance = isKeelErrorNamed<WaitInputInvalidError>('WaitInputInvalidError');
}
