import { KeelError, isKeelErrorNamed } from '@keel/core';

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

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ModelToolsUnsupportedError>('ModelToolsUnsupportedError');
}
