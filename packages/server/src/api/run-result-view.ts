import type { RunResult } from '@keel/core';
import { errorJsonView, toJsonView, type JsonValue } from '@keel/core';

/** A `RunResult` as JSON. */
export function runResultView(result: RunResult): Record<string, JsonValue> {
  const view: Record<string, JsonValue> = { executionId: result.executionId, status: result.status };
  if (result.status === 'completed') view.output = toJsonView(result.output);
  if (result.error) view.error = errorJsonView(result.error);
  if (result.waits) view.waits = toJsonView(result.waits);
  return view;
}
