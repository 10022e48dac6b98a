import { KeelError, isKeelErrorNamed } from './keel-error.js';
import type { InputIssue } from './wait-input-invalid-error.js';

/** A flow was invoked with input that does not match its declared input schema. No execution was created. */
export class FlowInputInvalidError extends KeelError {
  readonly flow: string;
  readonly issues: readonly InputIssue[];

  constructor({ flow, issues }: { flow: string; issues: readonly InputIssue[] }) {
    super(
      `The input for flow "${flow}" was refused: ` +
        issues.map((issue) => `${issue.path || '(value)'} ${issue.message}`).join('; ') +
        ". No execution was created; send input that matches the flow's input schema.",
    );
    this.flow = flow;
    this.issues = issues;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'FlowInputInvalidError';

  static override isInstance = isKeelErrorNamed<FlowInputInvalidError>('FlowInputInvalidError');
}
