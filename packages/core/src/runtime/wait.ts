import type { z } from 'zod';
import { KeelError } from '../errors/keel-error.js';
import { currentScope } from './scope.js';
import type { WaitOptions } from './types.js';

/**
 * Waits for input from a person or a service, validated by `schema`. With no input yet the execution
 * becomes `waiting` and the process may exit; when input arrives (CLI, HTTP, MCP, code) the execution
 * resumes from the top with every completed checkpoint reused, and `wait` returns the input.
 *
 * @example
 * ```ts
 * const ok = await wait('approve_publish', { schema: z.boolean(), question: 'Publish this brief?' });
 * ```
 */
export function wait<Schema extends z.ZodType>(name: string, options: WaitOptions<Schema>): Promise<z.output<Schema>> {
  const scope = currentScope();
  if (!scope) {
    return Promise.reject(new KeelError(`wait("${name}") was called outside a flow. Waits need an execution to suspend: call it inside flow(name, fn).`));
  }
  return scope.session.runWait(scope, name, options);
}
