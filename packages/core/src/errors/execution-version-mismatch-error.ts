import { KeelError, isKeelErrorNamed } from './keel-error.js';

/**
 * An execution was started by another code version than the one asked to continue it, and that
 * version does not declare it compatible. Nothing was changed: the execution keeps its status.
 */
export class ExecutionVersionMismatchError extends KeelError {
  readonly executionId: string;
  readonly flow: string;
  /** The code version that started the execution. */
  readonly executionVersion: string;
  /** The code version of the runtime that was asked to continue it. */
  readonly runtimeVersion: string;

  constructor({
    executionId,
    flow,
    executionVersion,
    runtimeVersion,
  }: {
    executionId: string;
    flow: string;
    executionVersion: string;
    runtimeVersion: string;
  }) {
    super(
      `Execution "${executionId}" of flow "${flow}" was started by code version "${executionVersion}"; this runtime runs ` +
        `"${runtimeVersion}", which does not declare it compatible, so it left the execution untouched. ` +
        `Continue it with a worker of version "${executionVersion}" (KEEL_CODE_VERSION=${executionVersion}), or, if ` +
        `"${runtimeVersion}" can safely continue its history (changed steps guarded with patched()), declare ` +
        `compatibleWith: ['${executionVersion}']. Replay makes a new execution on "${runtimeVersion}" from any run.`,
    );
    this.executionId = executionId;
    this.flow = flow;
    this.executionVersion = executionVersion;
    this.runtimeVersion = runtimeVersion;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ExecutionVersionMismatchError';

  static override isInstance = isKeelErrorNamed<ExecutionVersionMismatchError>('ExecutionVersionMismatchError');
}
