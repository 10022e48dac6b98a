import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** What was asked that needs a flow's code. */
export interface FlowCodeOperation {
  /** `resume`, `retry`, `replay`, `run` … */
  readonly operation: string;
  /** The flow whose code is missing. */
  readonly flow: string;
  /** The execution the operation was asked for, if any. */
  readonly executionId?: string;
  /** How to load the code here, in the terms of the surface that was asked (a CLI flag, a server option). */
  readonly hint: string;
}

/**
 * An operation that runs a flow's code (resume, retry, replay, run) was asked of a process that works
 * on the store alone, without the flows' code — `keel serve` or `keel mcp` on a bare store, say. What
 * needs no code (inspecting, giving input, cancelling, queueing a deployed version) still works there.
 */
export class FlowCodeNotLoadedError extends KeelError {
  readonly operation: string;
  readonly flow: string;
  readonly executionId: string | undefined;

  constructor({ operation, flow, executionId, hint }: FlowCodeOperation) {
    super(
      `Cannot ${operation} ${executionId !== undefined ? `execution ${executionId} (flow "${flow}")` : `flow "${flow}"`}: the flow's code is not loaded here. ${hint}`,
    );
    this.operation = operation;
    this.flow = flow;
    this.executionId = executionId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'FlowCodeNotLoadedError';

  static override isInstance = isKeelErrorNamed<FlowCodeNotLoadedError>('FlowCodeNotLoadedError');

  /**
   * For a process that has no flow code on purpose: a `FlowNotFoundError` (from any copy of core) as
   * this error, with what was asked and how to load the code; any other error as it is.
   */
  static fromFlowNotFound(error: unknown, asked: Omit<FlowCodeOperation, 'flow'>): unknown {
    if (!(KeelError.isInstance(error) && error.name === 'FlowNotFoundError')) return error;
    return new FlowCodeNotLoadedError({ ...asked, flow: (error as KeelError & { flow: string }).flow });
  }
}
