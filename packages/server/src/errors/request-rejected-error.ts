import { KeelError, isKeelErrorNamed } from '@keel/core';

/** A request the API refuses before doing anything: malformed, too big, unauthenticated, from a foreign origin. */
export class RequestRejectedError extends KeelError {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The stable error code of the answer (`bad_request`, `unauthorized`, …). */
  readonly code: string;

  constructor({ status, code, message }: { status: number; code: string; message: string }) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'RequestRejectedError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<RequestRejectedError>('RequestRejectedError');
}

/** A 400 `bad_request` naming what is wrong with the request. */
export function badRequest(message: string): RequestRejectedError {
  return new RequestRejectedError({ status: 400, code: 'bad_request', message });
}
