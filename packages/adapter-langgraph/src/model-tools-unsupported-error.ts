import { KeelError } from '@keel/core';

/** `bindTools` was called on a durable model whose wrapped model cannot call tools. */
export class ModelToolsUnsupportedError extends KeelError {
  readonly model: string;

  constructor({ model }: { model: string }) {
    super(
      `The chat model ${model} has no bindTools, so it cannot be given tools. ` +
        'Wrap a model that supports tool calling with durableChatModel (ChatOpenAI, ChatAnthropic, fakeModel() …).',
    );
    this.model = model;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ModelToolsUnsupportedError';

  /** True for this error from any copy of the package (it checks the name and Keel's marker). */
  static override isInstance(error: unknown): error is ModelToolsUnsupportedError {
    return KeelError.isInstance(error) && error.name === 'ModelToolsUnsupportedError';
  }
}
