/**
 * @module Keel adapter for the OpenAI Agents SDK (`@openai/agents`): durable agent runs — every
 * model request, tool call and MCP call a checkpoint, tool approvals durable waits.
 *
 * ```ts
 * import { durable } from '@keel/adapter-openai-agents';
 * ```
 */
export { durable } from './durable.js';
export { DurableAgent, type ContextOf, type DurableRunInput } from './durable-agent.js';
export { DurableModel } from './durable-model.js';
export { durableModelProvider } from './durable-model-provider.js';
export { currentToolCall, type ToolCallIdentity } from './current-tool-call.js';
export { AgentRunWaitingError } from './agent-run-waiting-error.js';
export { approvalSchema, type ApprovalDecision } from './approval-waits.js';
export type {
  ApprovalOptions,
  ApprovalRequest,
  CallKind,
  CallRetryPolicy,
  CaptureOptions,
  DurableAgentOptions,
  Granularity,
  OutsideFlowOptions,
  RetryOption,
  RunIdentity,
  ToolPolicy,
} from './durable-options.js';
