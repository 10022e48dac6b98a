import { KeelError, isKeelErrorNamed } from '@keel/core';

/** The MCP server was asked to listen beyond loopback without a token: anyone reaching it could operate every run. */
export class McpTokenMissingError extends KeelError {
  /** The address it was asked to listen on. */
  readonly host: string;

  constructor({ host }: { host: string }) {
    super(
      `Refusing to serve Keel's MCP server on ${host} without a token: anyone who can reach that address could read and operate every execution. ` +
        'Set KEEL_API_TOKEN (or pass the `token` option) and send "Authorization: Bearer <token>" from the client, or listen on 127.0.0.1.',
    );
    this.host = host;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'McpTokenMissingError';

  /** True for this error, from any copy of the package (where `instanceof` would not work). */
  static override isInstance = isKeelErrorNamed<McpTokenMissingError>('McpTokenMissingError');
}
