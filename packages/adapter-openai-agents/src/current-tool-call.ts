import { currentLane } from './durable-lane.js';

/** The Keel identity of the tool call running now. */
export interface ToolCallIdentity {
  readonly executionId: string;
  /** The tool call's checkpoint id, e.g. `send_email:call_abc`. */
  readonly checkpointId: string;
  /** `<executionId>:<checkpointId>`: the same for every attempt of this call, different for any other. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt, counting across processes. */
  readonly attempt: number;
  /** Aborted when the execution is cancelled or the attempt times out. */
  readonly signal: AbortSignal;
}

/**
 * Inside a tool's `execute`, during a durable run: the call's execution, checkpoint and idempotency
 * key — pass the key to an API that deduplicates (payments, e-mail) so a call re-run after a crash
 * does not take effect twice. `undefined` outside a durable tool call.
 *
 * @example
 * ```ts
 * execute: async ({ to, body }) => mailer.send({ to, body, idempotencyKey: currentToolCall()?.idempotencyKey })
 * ```
 */
export function currentToolCall(): ToolCallIdentity | undefined {
  const call = currentLane()?.toolCall;
  if (!call) return undefined;
  return {
    executionId: call.executionId,
    checkpointId: call.checkpointId,
    idempotencyKey: call.idempotencyKey,
    attempt: call.attempt,
    signal: call.signal,
  };
}
