import { errorJsonView, toJsonView, type JsonValue } from '@keel/core';
import type { PendingWait, RunResult } from '@keel/core';
import { shortStacks } from './json-view.js';
import { previewValue } from './paged-text.js';

/** Outputs in an operation's answer longer than this (as JSON) are cut; the `output` artifact has them whole. */
const outputLimit = 8_000;

/** What a run (resume, retry, replay, a watched start) ended with, as JSON for an answer. */
export function runResultView(result: RunResult): { [key: string]: JsonValue } {
  return {
    executionId: result.executionId,
    status: result.status,
    ...(result.status === 'completed'
      ? { output: previewValue(toJsonView(result.output), outputLimit, `read_artifact executionId=${result.executionId} name=output`) }
      : {}),
    ...(result.error ? { error: errorJsonView(result.error, shortStacks(8)) } : {}),
    ...(result.waits?.length ? { waits: result.waits.map(pendingWaitView) } : {}),
  };
}

/** A pending wait: what to answer and the JSON Schema the answer must match. */
export function pendingWaitView(wait: PendingWait): { [key: string]: JsonValue } {
  return {
    id: wait.id,
    name: wait.name,
    ...(wait.question !== undefined ? { question: wait.question } : {}),
    schema: toJsonView(wait.schema),
    ...(wait.expiresAt !== undefined ? { expiresAt: new Date(wait.expiresAt).toISOString() } : {}),
  };
}
