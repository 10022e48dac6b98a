import { KeelError, isKeelErrorNamed } from '@keel/core';

/**
 * A tool call that needs approval was about to run outside a flow. An approval is a durable wait: it
 * needs an execution that can stop, be answered later and resume.
 */
export class ApprovalOutsideFlowError extends KeelError {
  /** The tool that needed approval. */
  readonly toolName: string;
  /** The `tool_use` id of the call. */
  readonly toolUseId: string;

  constructor({ toolName, toolUseId }: { toolName: string; toolUseId: string }) {
    super(
      `The tool call "${toolName}" (${toolUseId}) needs approval, but no flow is running, so there is nothing to suspend ` +
        'until a decision arrives. Run the agent loop inside flow(name, fn) (or runInFlow) from @keel/core.',
    );
    this.toolName = toolName;
    this.toolUseId = toolUseId;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ApprovalOutsideFlowError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ApprovalOutsideFlowError>('ApprovalOutsideFlowError');
}
