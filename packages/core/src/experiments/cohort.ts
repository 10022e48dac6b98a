import type { ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { CohortInvalidError } from '../errors/cohort-invalid-error.js';
import type { Cohort } from './experiment-types.js';

/**
 * The ids of a cohort's executions, newest first. Replays made by experiments are left out: a cohort
 * is of recorded runs, not of earlier experiments' members.
 */
export async function selectCohort(store: Store, cohort: Cohort, now = Date.now()): Promise<string[]> {
  const since = cohort.since === undefined ? undefined : timeOf(cohort.since, 'since', now);
  const until = cohort.until === undefined ? undefined : timeOf(cohort.until, 'until', now);
  const ids = cohort.ids && new Set(cohort.ids);
  const executions = await store.listExecutions({ flow: cohort.flow, status: cohort.status ?? 'completed' });
  const chosen = executions.filter(
    (execution) =>
      !execution.replayOf?.change &&
      (!ids || ids.has(execution.id)) &&
      (since === undefined || execution.createdAt >= since) &&
      (until === undefined || execution.createdAt < until) &&
      matchesMetadata(execution, cohort.metadata),
  );
  return chosen.slice(0, cohort.limit ?? chosen.length).map((execution) => execution.id);
}

function matchesMetadata(execution: ExecutionRecord, wanted: Cohort['metadata']): boolean {
  if (!wanted) return true;
  return Object.entries(wanted).every(([key, value]) => JSON.stringify(execution.metadata?.[key]) === JSON.stringify(value));
}

const units: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Epoch ms of a cohort bound: epoch ms, an ISO date, or a duration ago (`7d`). */
export function timeOf(value: number | string, field: 'since' | 'until', now = Date.now()): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = String(value).trim();
  const ago = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (ago) return now - Number(ago[1]) * units[ago[2]!]!;
  const parsed = Date.parse(text);
  if (!Number.isNaN(parsed)) return parsed;
  throw new CohortInvalidError({ field, value: text });
}
