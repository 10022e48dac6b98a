import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A cohort bound that is neither a time nor a duration. */
export class CohortInvalidError extends KeelError {
  readonly field: string;
  readonly value: string;

  constructor({ field, value }: { field: string; value: string }) {
    super(
      `The cohort's "${field}" is "${value}", which is not a time. ` +
        'Give epoch milliseconds, an ISO date (2026-11-27 or 2026-11-27T09:00:00Z) or a duration ago (30m, 12h, 7d, 2w).',
    );
    this.field = field;
    this.value = value;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'CohortInvalidError';

  static override isInstance = isKeelErrorNamed<CohortInvalidError>('CohortInvalidError');
}
