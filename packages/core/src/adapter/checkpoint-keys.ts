import { currentScope, type Scope } from '../runtime/scope.js';

/**
 * Checkpoint ids are paths of `name:key` segments joined by `/` (`publish:1/render:1`). A key an
 * adapter passes (a provider's call id) may be reused within one scope — providers promise a call id
 * is unique within one response only — and core then tells the uses apart itself (`name:key~2`,
 * `name:key~3`, in the order the calls start), so adapters pass the provider's id as it is, made
 * safe by {@link checkpointKey}.
 */

/** Per scope, the ordinals handed out by {@link ordinalKey}. A scope is one checkpoint attempt (or the flow) of one session. */
const ordinals = new WeakMap<Scope, Map<string, number>>();

/** A provider's call id as a checkpoint key: characters that would read as id structure (`/`, `:`, `~`, spaces) become `_`. */
export function checkpointKey(callId: string): string {
  return callId.replace(/[^\w.-]/g, '_');
}

/**
 * The next ordinal (`1`, `2`, `3` …) of calls named `name` in the current scope, as a key: for an
 * adapter that must know a call's checkpoint id before making it (to name it in a wait's metadata).
 * A resumed session counts from 1 again, in the same order. Outside a flow: `1`.
 */
export function ordinalKey(name: string): string {
  const scope = currentScope();
  if (!scope) return '1';
  let counters = ordinals.get(scope);
  if (!counters) ordinals.set(scope, (counters = new Map()));
  const count = (counters.get(name) ?? 0) + 1;
  counters.set(name, count);
  return String(count);
}

/** The full id a call named `name` with the (first-used) key `key` gets in the current scope. */
export function checkpointIdFor(name: string, key: string): string {
  const parent = currentScope()?.checkpointId;
  return parent ? `${parent}/${name}:${key}` : `${name}:${key}`;
}
