import { KeelError } from '@keel/core';

/** A flow module listed in `keel.config.ts` failed to import (a syntax error, a missing package …). */
export class FlowModuleImportError extends KeelError {
  readonly module: string;

  constructor({ module, cause }: { module: string; cause: unknown }) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`The flow module ${module} failed to import: ${reason}`, { cause });
    this.module = module;
  }

  /** The error's name, a literal so that it survives minification (`isInstance` compares it). */
  override readonly name: string = 'FlowModuleImportError';
}
