import { approvalSchema, checkpointIdFor, durableCall, openWait, ordinalKey, type ApprovalDecision } from '@keel/core/adapter';
import { RunState, type Agent, type RunContext, type RunToolApprovalItem } from '@openai/agents';
import type { ApprovalRequest } from './durable-options.js';
import type { Settings } from './settings.js';

// The approval wait's schema and decision are core's, shared by every adapter: `{ approve, reason? }`.
export { approvalSchema, type ApprovalDecision };

/** Name of the checkpoint that keeps an interrupted run's `RunState`. */
export const runStateCheckpointName = 'run_state';

/** A run stopped at tool approvals, as the runner left it. */
interface InterruptedRun {
  readonly state: RunState<any, any>;
  readonly lastAgent: Agent<any, any> | undefined;
  readonly runContext: RunContext<any>;
}

/**
 * Turns an interrupted run into durable waits and back into a run to continue.
 *
 * The run's `RunState` string is recorded as a checkpoint (`run_state:<n>`), and every pending
 * approval becomes a wait named after its tool, with schema `{ approve: boolean, reason?: string }`
 * and the checkpoint's id in its metadata. Without decisions yet, the execution suspends here. With
 * them — in this or any later process — the recorded state is restored with `RunState.fromString`,
 * the decisions are applied with `approve` / `reject`, and the state is returned for the runner to
 * continue from. The approved tool then runs through its durable wrapper: once, however often the
 * execution resumes afterwards.
 */
export async function awaitApprovals(
  rootAgent: Agent<any, any>,
  interrupted: InterruptedRun,
  settings: Settings,
  userContext: boolean,
): Promise<RunState<any, any>> {
  const key = ordinalKey(runStateCheckpointName);
  const checkpointId = checkpointIdFor(runStateCheckpointName, key);
  const text = await durableCall(
    {
      name: runStateCheckpointName,
      key,
      kind: 'step',
      metadata: { agent: interrupted.lastAgent?.name, interruptions: interrupted.state.getInterruptions().length },
    },
    () => interrupted.state.toString(),
  );
  // A caller's own context object (with its functions and handles) is kept; the recorded approvals merge into it.
  const state = userContext
    ? await RunState.fromStringWithContext(rootAgent, text, interrupted.runContext, { contextStrategy: 'merge' })
    : await RunState.fromString(rootAgent, text);
  const items = state.getInterruptions();
  // Opened together, so every pending approval is a wait of this suspension (not one per resume).
  const decisions = await Promise.all(items.map((item) => askForApproval(item, settings, checkpointId)));
  items.forEach((item, index) => {
    const decision = decisions[index]!;
    if (decision.approve) state.approve(item);
    else state.reject(item, decision.reason !== undefined ? { message: decision.reason } : undefined);
  });
  return state;
}

function askForApproval(item: RunToolApprovalItem, settings: Settings, runStateCheckpoint: string): Promise<ApprovalDecision> {
  const request: ApprovalRequest = {
    agent: item.agent.name,
    tool: item.name ?? item.toolName ?? 'tool',
    callId: (item.rawItem as { callId?: string }).callId,
    arguments: item.arguments,
  };
  const question = settings.approvals.question?.(request) ?? defaultQuestion(request);
  return openWait(request.tool, {
    schema: approvalSchema,
    question,
    ...(settings.approvals.timeout !== undefined ? { timeout: settings.approvals.timeout } : {}),
    metadata: {
      kind: 'tool-approval',
      agent: request.agent,
      tool: request.tool,
      ...(request.callId !== undefined ? { callId: request.callId } : {}),
      ...(request.arguments !== undefined ? { arguments: truncate(request.arguments, 2000) } : {}),
      runStateCheckpoint,
    },
  });
}

function defaultQuestion(request: ApprovalRequest): string {
  return `Approve ${request.agent} calling ${request.tool}(${truncate(request.arguments ?? '', 500)})?`;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}
