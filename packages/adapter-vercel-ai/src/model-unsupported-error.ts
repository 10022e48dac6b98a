import { KeelError, isKeelErrorNamed } from '@keel/core';

/** What was given where a language model object was expected. */
function describe(model: unknown): string {
  if (typeof model === 'string') return `the model id string "${model}"`;
  if (model === null || model === undefined) return String(model);
  return `a ${typeof model === 'object' ? ((model as object).constructor?.name ?? 'object') : typeof model} without doGenerate/doStream`;
}

/**
 * The adapter was given something that is not a language model object. Model id strings are resolved
 * by the SDK through its global provider at call time, out of the adapter's reach.
 */
export class ModelUnsupportedError extends KeelError {
  readonly model: unknown;

  constructor({ model }: { model: unknown }) {
    super(
      `Keel cannot make ${describe(model)} durable: it needs a language model object (LanguageModelV3 for ai 6, V4 for ai 7). ` +
        (typeof model === 'string'
          ? `Resolve the id first, e.g. \`gateway('${model}')\` or your provider's \`openai('…')\`, and pass that object.`
          : 'Pass a model created by a provider package, e.g. `openai("gpt-4o")`.'),
    );
    this.model = model;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ModelUnsupportedError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ModelUnsupportedError>('ModelUnsupportedError');
}
