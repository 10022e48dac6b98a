import type { ExecutionPatch } from '@keel/core/store';

/**
 * An {@link ExecutionPatch} applied to the `record` column inside the statement, as `applyExecutionPatch`
 * applies it in JavaScript: fields set (`jsonb ||`), fields cleared by `null` removed (`lease: null`
 * is kept as null), `version` one up, `updatedAt` set. Done in SQL, an update needs no read before it:
 * one round trip instead of a read and a compare-and-set.
 *
 * `set`, `unset` and `now` are the statement's parameters `$n`, `$n+1` and `$n+2`; `extra` adds fields
 * computed from the row (a claim's `sessions`).
 */
export function patchedRecord(n: number, extra = ''): string {
  return `((record::jsonb || $${n}::jsonb) - $${n + 1}::text[]
           || jsonb_build_object('version', version + 1, 'updatedAt', $${n + 2}::bigint${extra}))::json`;
}

/**
 * The condition that the row's `record` is the one the store wrote for it (an object with the row's id
 * and version): a patch applied in SQL must never build on a garbled record, which stays as it is for
 * the read that reports it (`StoreCorruptedError`).
 */
export const recordIntact = `json_typeof(record) = 'object' AND record->>'id' = id AND record->>'version' = version::text`;

/** The parameters of {@link patchedRecord}: the fields to set (JSON), the fields to remove, the time. */
export function patchParameters(patch: ExecutionPatch, now: number): [string, string[], number] {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null && field !== 'lease') unset.push(field);
    else set[field] = value;
  }
  return [JSON.stringify(set), unset, now];
}
