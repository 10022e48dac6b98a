import { currentExecution } from '@keel/core/adapter';

/**
 * Ordinal counters per session of an execution and per checkpoint scope. A session's abort signal
 * identifies the session (a resume is a new session and counts from zero again, in the same order).
 */
const sessions = new WeakMap<AbortSignal, Map<string, number>>();

/**
 * A provider's call id as a checkpoint key: characters that would read as structure in a checkpoint
 * id (`/` separates levels) become `_`. Core keeps keys reused in one scope apart (`name:key~2`): some
 * providers reuse call ids across turns, and an approved tool call is invoked again after its
 * interruption.
 */
export function callKey(callId: string): string {
  return callId.replace(/[^\w.-]/g, '_');
}

/** The next ordinal (1, 2, 3 …) of calls named `name` in the current scope, as a checkpoint key. */
export function ordinalKey(name: string): string {
  return String(nextCount(`${name}\u0000#`));
}

function nextCount(slot: string): number {
  const execution = currentExecution();
  if (!execution) return 1;
  let counters = sessions.get(execution.signal);
  if (!counters) {
    counters = new Map();
    sessions.set(execution.signal, counters);
  }
  const scoped = `${execution.checkpointId ?? ''}\u0000${slot}`;
  const count = (counters.get(scoped) ?? 0) + 1;
  counters.set(scoped, count);
  return count;
}

/** The full checkpoint id a call named `name` with key `key` gets in the current scope. */
export function checkpointIdFor(name: string, key: string): string {
  const parent = currentExecution()?.checkpointId;
  return parent ? `${parent}/${name}:${key}` : `${name}:${key}`;
}
