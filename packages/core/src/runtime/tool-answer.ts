import { ToolRecordMissError } from '../errors/tool-record-miss-error.js';
import { loadPayload } from '../serialization/payloads.js';
import type { LiveCall, LiveCalls } from './live-calls.js';
import { toolAnswerFor, type ToolAnswerKind } from './replay-change.js';
import type { Scope } from './scope.js';
import type { Session } from './session.js';
import type { CheckpointContext, CheckpointOptions } from './types.js';

/**
 * A tool call of a replay with a change, answered per the change's policy: from the original's
 * record of the same call, by the tool, or by its replacement. How it was answered is kept in the
 * record's `toolAnswer` metadata, which is what experiments count.
 */
export function answerTool<T>(
  session: Session,
  live: LiveCalls,
  scope: Scope,
  call: LiveCall,
  fn: (context: CheckpointContext) => T | Promise<T>,
  options: CheckpointOptions,
): Promise<T> {
  const { change, answers, original } = session.change!;
  const answered = (answer: ToolAnswerKind, extra: Record<string, unknown> = {}): CheckpointOptions => ({
    ...options,
    metadata: { ...options.metadata, toolAnswer: answer, ...extra },
  });
  if (change.tools?.[call.name]) return live.run(scope, call, fn, answered('replacement'));
  const policy = toolAnswerFor(change.toolAnswers, call.name);
  if (policy.mode === 'live') return live.run(scope, call, fn, answered('live'));
  const recorded = answers.tool(call.name, options.fingerprint);
  if (recorded) {
    const fromRecord = () => loadPayload(session.store, recorded.output!, { executionId: original, checkpointId: recorded.id }) as Promise<T>;
    return live.run(scope, call, fromRecord, { ...answered('record', { answeredFrom: recorded.id }), retries: 0 });
  }
  if (policy.onMiss === 'live') return live.run(scope, call, fn, answered('miss-live'));
  const miss = (): never => {
    throw new ToolRecordMissError({ executionId: session.executionId, checkpointId: call.id, tool: call.name, original });
  };
  return live.run(scope, call, miss, { ...answered('miss'), retries: 0 });
}
