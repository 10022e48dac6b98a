import { KeelError, isKeelErrorNamed } from '@keel/core';

/** `durableToolApproval()` was given a tool set that `durableTools()` did not make: it has no run to mark. */
export class ToolSetUnsupportedError extends KeelError {
  constructor() {
    super(
      'durableToolApproval(tools, policy) was given a tool set that durableTools() did not return, so its approvals cannot become durable waits. ' +
        'Pass the object durableTools() returned, e.g. `const tools = durableTools({ deleteFile }); generateText({ tools, toolApproval: durableToolApproval(tools, { deleteFile: "user-approval" }) })`.',
    );
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ToolSetUnsupportedError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ToolSetUnsupportedError>('ToolSetUnsupportedError');
}
