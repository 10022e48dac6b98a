import { currentExecution } from '@keel/core/adapter';

/**
 * Occurrence counters per session of an execution and per checkpoint scope. A session's abort signal
 * identifies the session (a resume is a new session and counts from zero again, in the same order).
 */
const sessions = new WeakMap<AbortSignal, Map<string, number>>();

/**
 * A checkpoint key for `base` (a tool call id) that stays unique in the current scope: the first
 * call with that id keeps it, a later one gets `<id>.2`, `<id>.3` … Provider call ids are only unique
 * within one response (some providers reuse `call_0` every turn), and an approved tool call is
 * invoked again after its interruption; counting occurrences in call order keeps their records
 * apart while staying the same on every resume.
 */
export function scopedKey(name: string, base: string): string {
  const safe = base.replace(/[^\w.-]/g, '_');
  const count = nextCount(`${name}\u0000${safe}`);
  return count === 1 ? safe : `${safe}.${count}`;
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
