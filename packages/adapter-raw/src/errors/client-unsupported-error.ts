import { KeelError, isKeelErrorNamed } from '@keel/core';

/**
 * `durableAnthropic` was given something it cannot make durable: not an `@anthropic-ai/sdk` client, or
 * one from a release without request middleware (which Keel uses to answer replayed calls).
 */
export class ClientUnsupportedError extends KeelError {
  constructor(reason: string) {
    super(`durableAnthropic() cannot wrap this client: ${reason}. Pass a client from @anthropic-ai/sdk 1.x, e.g. new Anthropic().`);
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ClientUnsupportedError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<ClientUnsupportedError>('ClientUnsupportedError');
}
