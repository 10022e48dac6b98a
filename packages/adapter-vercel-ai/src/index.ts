/**
 * @module `@keel/adapter-vercel-ai`: make Vercel AI SDK (ai 6 and 7) agents durable with Keel —
 * every model request, tool call and MCP call a checkpoint, tool approvals durable waits.
 *
 * ```ts
 * import { durable, durableModel, durableTools, hitlTool } from '@keel/adapter-vercel-ai';
 * ```
 */
export { durable } from './durable-agent.js';
export { durableMiddleware, durableModel, type DurableMiddleware } from './durable-model.js';
export { durableTools, durableToolApproval } from './durable-tools.js';
export { hitlTool, type HitlTool, type HitlToolOptions } from './hitl-tool.js';
export { approvalSchema, approvalWaitName, type ApprovalAnswer, type DeniedOutput } from './tool-approval.js';
export type { CallRetryPolicy, CaptureOptions, DurableAgentOptions, DurablePiecesOptions, RetryOption, ToolPolicy } from './options.js';
export type { TokenUsage } from './model-records.js';
export { ExecutionWaitingError } from '@keel/core/adapter';
export { AgentUnsupportedError } from './agent-unsupported-error.js';
export { ModelUnsupportedError } from './model-unsupported-error.js';
export { ToolSetUnsupportedError } from './tool-set-unsupported-error.js';
