import type { CheckpointRecord } from '../store/records.js';
import { modelUsageOf } from './model-usage.js';
import type { ReplayChange } from './replay-change.js';

/**
 * The first of the original's calls a change touches, where a replay with the change starts to run
 * live: the first model call of a swapped model (a call whose model was not recorded counts, since
 * it may be one), the first model call at all when instructions change, the first call of a replaced
 * tool. `undefined` when the change touches nothing the original did.
 */
export function firstChangedCall(records: readonly CheckpointRecord[], change: ReplayChange): CheckpointRecord | undefined {
  const swapped = new Set(Object.keys(change.models ?? {}));
  const replaced = new Set(Object.keys(change.tools ?? {}));
  const touched = (record: CheckpointRecord): boolean => {
    if (record.kind === 'model') {
      if (change.instructions !== undefined) return true;
      const model = modelUsageOf(record.metadata)?.model;
      return swapped.size > 0 && (model === undefined || swapped.has(model));
    }
    return (record.kind === 'tool' || record.kind === 'mcp') && replaced.has(record.name);
  };
  return [...records].sort((a, b) => a.seq - b.seq).find(touched);
}
