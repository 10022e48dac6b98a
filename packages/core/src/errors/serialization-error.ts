import { KeelError, isKeelErrorNamed } from './keel-error.js';

/**
 * A value cannot be stored. Raised when it is recorded (never discovered at replay), naming what was
 * being recorded and the path inside the value.
 */
export class SerializationError extends KeelError {
  /** Inside which value: `checkpoint "search_web:1" output`, `flow input`, `artifact "report"` … */
  readonly subject: string;
  /** Path of the offending part inside the value, e.g. `$.items[2].client`. */
  readonly path: string;
  readonly reason: string;

  constructor({ subject, path, reason }: { subject: string; path: string; reason: string }) {
    super(
      `Cannot store ${subject}: the value at ${path} ${reason}. ` +
        'Keel stores JSON plus Date, Uint8Array, Map, Set, BigInt, URL, Error and undefined. ' +
        'Return plain data from the checkpoint (for example pick the fields you need), or opt the call out with `durable: false`.',
    );
    this.subject = subject;
    this.path = path;
    this.reason = reason;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'SerializationError';

  static override isInstance = isKeelErrorNamed<SerializationError>('SerializationError');
}
