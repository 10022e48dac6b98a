import { KeelError, isKeelErrorNamed } from '@keel/core';

/** A LangGraph operation that needs a thread was called without `configurable.thread_id`. */
export class ThreadIdMissingError extends KeelError {
  readonly operation: string;

  constructor({ operation }: { operation: string }) {
    super(
      `LangGraph's ${operation} was called without configurable.thread_id. Keel keeps a graph's state per thread: ` +
        'pass { configurable: { thread_id: "…" } } in the config of invoke/stream.',
    );
    this.operation = operation;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ThreadIdMissingError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ThreadIdMissingError>('ThreadIdMissingError');
}
