import type { RunResult } from '@keel/core';
import { errorJson, toJsonValue, type JsonValue } from './json-value.js';

/** A `RunResult` as JSON. */
export function runResultView(result: RunResult): Record<string, JsonValue> {
  const view: Record<string, JsonValue> = { executionId: result.executionId, status: result.status };
  if (result.status === 'completed') view.output = toJsonValue(result.output);
  if (result.error) view.error = errorJson(result.error);
  if (result.waits) view.waits = toJsonValue(result.waits);
  return view;
}
