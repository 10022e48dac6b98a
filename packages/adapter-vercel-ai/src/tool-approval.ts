import { approvalSchema, approvalWaitName, type ApprovalDecision } from '@keel/core/adapter';
import type { AgentRun } from './agent-run.js';
import type { ToolApprovalStatus } from './sdk-shapes.js';

// The approval wait's schema, its answer and its name are core's, shared by every adapter.
export { approvalSchema, approvalWaitName };

/** What a person answered to an approval wait (core's `ApprovalDecision`). */
export type ApprovalAnswer = ApprovalDecision;

/**
 * The output a rejected call leaves in place of the tool's result. It mirrors the SDK's own
 * `execution-denied` tool output, which is also what the model receives.
 */
export interface DeniedOutput {
  readonly type: 'execution-denied';
  readonly reason?: string;
}

/** The output of a rejected call. */
export function deniedOutput(reason: string | undefined): DeniedOutput {
  return reason === undefined ? { type: 'execution-denied' } : { type: 'execution-denied', reason };
}

/** Whether a tool output is a rejection made by this adapter. */
export function isDeniedOutput(output: unknown): output is DeniedOutput {
  return typeof output === 'object' && output !== null && (output as { type?: unknown }).type === 'execution-denied';
}

/**
 * Turns the SDK's approval decisions into durable waits. The SDK asks the policy (v7 `toolApproval`,
 * or a tool's `needsApproval`) whether a call needs a person; where the answer is "yes" and the run
 * is durable, the run notes the call and tells the SDK "no approval needed", and the tool's durable
 * `execute` opens the wait instead. So the run never ends early with a pending approval: it suspends
 * inside the tool call, which a new process resumes after the input arrives, with the model calls
 * before it replayed.
 */
export function interceptStatus(
  status: ToolApprovalStatus,
  toolCallId: string,
  toolName: string,
  run: AgentRun,
  waitable: ReadonlySet<string>,
): ToolApprovalStatus {
  const normalized = typeof status === 'string' ? { type: status } : status;
  if (normalized?.type !== 'user-approval' || !waitable.has(toolName) || !run.durable) return status;
  run.requestApproval(toolCallId, normalized.reason !== undefined ? { reason: normalized.reason } : {});
  return 'not-applicable';
}

type ApprovalFunction = (...args: never[]) => unknown;

/**
 * The v7 `toolApproval` setting with user approvals intercepted (see {@link interceptStatus}). It is
 * either one function for all calls, or a status or function per tool name.
 */
export function interceptToolApproval(policy: unknown, run: AgentRun, waitable: ReadonlySet<string>): unknown {
  if (policy === null || policy === undefined) return policy;
  if (typeof policy === 'function') {
    return async (options: { readonly toolCall: { readonly toolCallId: string; readonly toolName: string } }) =>
      interceptStatus(
        (await (policy as (options: unknown) => unknown)(options)) as ToolApprovalStatus,
        options.toolCall.toolCallId,
        options.toolCall.toolName,
        run,
        waitable,
      );
  }
  if (typeof policy !== 'object') return policy;
  const perTool: Record<string, unknown> = {};
  for (const [toolName, entry] of Object.entries(policy)) {
    // An empty entry lets the SDK fall back to the tool's own `needsApproval`: keep it empty.
    if (entry === null || entry === undefined) {
      perTool[toolName] = entry;
      continue;
    }
    perTool[toolName] = async (input: unknown, options: { readonly toolCallId: string }) => {
      const status = typeof entry === 'function' ? await (entry as (input: unknown, options: unknown) => unknown)(input, options) : entry;
      return interceptStatus(status as ToolApprovalStatus, options.toolCallId, toolName, run, waitable);
    };
  }
  return perTool;
}

/** A tool's `needsApproval` (v6, and deprecated in v7) with user approvals intercepted. */
export function interceptNeedsApproval(needsApproval: unknown, run: AgentRun): unknown {
  if (needsApproval === undefined || needsApproval === null || needsApproval === false) return needsApproval;
  return async (input: unknown, options: { readonly toolCallId: string }) => {
    const needed = typeof needsApproval === 'function' ? await (needsApproval as ApprovalFunction)(...([input, options] as never[])) : needsApproval;
    if (!needed || !run.durable) return needed;
    run.requestApproval(options.toolCallId, {});
    return false;
  };
}
