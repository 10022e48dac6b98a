import { KeelError } from '@keel/core';

/** A command-line argument or option value is malformed (bad JSON, a negative limit, an unknown status …). */
export class ArgumentInvalidError extends KeelError {
  readonly argument: string;

  constructor({ argument, problem }: { argument: string; problem: string }) {
    super(`${argument}: ${problem}`);
    this.argument = argument;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'ArgumentInvalidError';
}
