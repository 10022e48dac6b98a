import { currentExecution } from '@keel/core/adapter';

/** Per session (its abort signal is its identity), how often each tool-use id was used per scope. */
const occurrences = new WeakMap<AbortSignal, Map<string, number>>();

/**
 * The checkpoint key of a tool call: its `tool_use` id, made unique within the execution.
 *
 * Providers promise a tool-use id is unique within one response only; a loop that sees `toolu_01`
 * in turn 1 and again in turn 3 must not get turn 1's result back in turn 3. So the second use of an
 * id (same tool, same scope) gets the key `toolu_01~2`, the third `toolu_01~3`. The count follows the
 * order calls start in, like core's own call counter, and survives resume because a resumed loop
 * makes the same calls in the same order. Calls with distinct ids (parallel tool calls of one turn)
 * get their own keys whatever order they finish in.
 */
export function toolCallKey(toolName: string, toolUseId: string): string {
  const execution = currentExecution();
  if (!execution) return toolUseId;
  let counts = occurrences.get(execution.signal);
  if (!counts) {
    counts = new Map();
    occurrences.set(execution.signal, counts);
  }
  const scoped = `${execution.checkpointId ?? ''}\u0000${toolName}\u0000${toolUseId}`;
  const count = (counts.get(scoped) ?? 0) + 1;
  counts.set(scoped, count);
  return count === 1 ? toolUseId : `${toolUseId}~${count}`;
}
