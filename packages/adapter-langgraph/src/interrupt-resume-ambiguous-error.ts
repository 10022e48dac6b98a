import { KeelError, isKeelErrorNamed } from '@keel/core';

/** `Command({ resume })` with one value while a thread waits on several interrupts. */
export class InterruptResumeAmbiguousError extends KeelError {
  readonly executionId: string;
  readonly pending: readonly string[];

  constructor({ executionId, pending }: { executionId: string; pending: readonly string[] }) {
    super(
      `Execution "${executionId}" waits on ${pending.length} interrupts (${pending.join(', ')}), and Command({ resume }) ` +
        'gave one value. Resume with a map from interrupt id to answer: new Command({ resume: { [id]: answer, … } }).',
    );
    this.executionId = executionId;
    this.pending = pending;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'InterruptResumeAmbiguousError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<InterruptResumeAmbiguousError>('InterruptResumeAmbiguousError');
}
