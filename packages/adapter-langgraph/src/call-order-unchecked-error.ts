import { KeelError } from '@keel/core';

/**
 * Not a failure: the marker a durable graph run records first. LangGraph resumes a run from its own
 * checkpoint and skips the nodes that already ran, so the calls inside a run do not come in the
 * same order every time; Keel checks a scope's calls against their recorded order only up to the
 * first record that did not complete, and this record is that one. The calls are matched by key.
 */
export class CallOrderUncheckedError extends KeelError {
  constructor() {
    super(
      'Not a failure: this marker tells Keel to match the calls of this LangGraph run by key, not by position ' +
        '(LangGraph skips the nodes it already checkpointed when it resumes, so positions change).',
    );
  }

  /** True for this marker, also when it is replayed from the store as a plain error. */
  static override isInstance(error: unknown): error is CallOrderUncheckedError {
    return error instanceof Error && error.name === 'CallOrderUncheckedError';
  }
}
