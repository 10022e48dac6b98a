import { KeelError, isKeelErrorNamed } from './keel-error.js';

/** A store URL that names no store Keel knows (empty, or an unknown scheme). */
export class StoreUrlInvalidError extends KeelError {
  /** The store URL (password hidden). */
  readonly url: string;

  constructor({ url, problem }: { url: string; problem: string }) {
    super(`${problem} Use a folder (./.keel), sqlite:./keel.db or postgres://….`);
    this.url = url;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'StoreUrlInvalidError';

  static override isInstance = isKeelErrorNamed<StoreUrlInvalidError>('StoreUrlInvalidError');
}
