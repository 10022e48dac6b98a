import { KeelError } from '../errors/keel-error.js';
import { currentScope } from './scope.js';

/**
 * Changes a flow's code in place while executions started by the old code keep their old path.
 * Returns `true` where the execution takes the new path: every new execution, and an old one that had
 * not reached this point when the new code took it over. Returns `false` in an old execution whose
 * history already went past this point with the old code, so replaying it takes the old branch.
 * The answer is recorded (a `patched:<id>` marker) and stays the same for the life of the execution.
 *
 * Together with `compatibleWith`, this is how a new code version continues the executions of an old
 * one. Once no execution of the old code is unfinished, remove the old branch (and, later, the call).
 *
 * Outside a flow it returns `true`.
 *
 * @example
 * ```ts
 * const brief = patched('shorter-brief')
 *   ? await checkpoint('write_short_brief', () => writeShortBrief(hits))
 *   : await checkpoint('write_brief', () => writeBrief(hits));
 * ```
 */
export function patched(patchId: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(patchId)) {
    throw new KeelError(`patched("${patchId}"): a patch id is 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or a digit.`);
  }
  const scope = currentScope();
  if (!scope) return true;
  return scope.session.patched(scope, patchId);
}
