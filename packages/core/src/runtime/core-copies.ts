import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CoreDuplicateError, type CoreCopyLocation } from '../errors/core-duplicate-error.js';

/** A loaded copy of `@keel/core`, as the other copies in the process see it. */
interface CoreCopy extends CoreCopyLocation {
  /** Whether code running now is inside a flow of this copy. */
  readonly inFlow: () => boolean;
}

// Shared by every copy through the global symbol registry, which is the one thing they all see.
const registryKey = Symbol.for('keel.core.copies');

/** This copy's package folder (this file is `src|dist/runtime/core-copies`). */
const path = fileURLToPath(new URL('../..', import.meta.url)).replace(/[/\\]$/, '');
const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * Registers this copy of `@keel/core` in the process, with a way for the others to ask whether it is
 * running a flow right now. Several copies may load side by side harmlessly (the CLI's own and a
 * project's); what breaks is a flow of one calling into another, which {@link CoreCopyGuard.check}
 * catches.
 */
export function registerCoreCopy(inFlow: () => boolean): CoreCopyGuard {
  const registry = ((globalThis as Record<symbol, CoreCopy[] | undefined>)[registryKey] ??= []);
  const self: CoreCopy = { version, path, inFlow };
  registry.push(self);
  return {
    check() {
      if (registry.length === 1) return;
      for (const other of registry) {
        if (other !== self && other.inFlow()) throw new CoreDuplicateError({ running: locationOf(other), called: locationOf(self) });
      }
    },
  };
}

/** What a copy of core asks before concluding that no flow is running. */
export interface CoreCopyGuard {
  /** Throws {@link CoreDuplicateError} when a flow of another copy of `@keel/core` is running here. */
  check(): void;
}

function locationOf(copy: CoreCopy): CoreCopyLocation {
  return { version: copy.version, path: copy.path };
}
