/**
 * @module Durable hand-written agent loops: an Anthropic client wrapper, durable tools, approvals,
 * and `durable(name, fn)` for any other client.
 *
 * ```ts
 * import { durableAnthropic, durableTool, approvalGate, durable } from '@keel/adapter-raw';
 * ```
 */
export { durableAnthropic, type AnthropicClientLike, type DurableAnthropicOptions } from './durable-anthropic.js';
export { durableTool, type DurableTool, type DurableToolOptions, type ToolCallContext } from './durable-tool.js';
export { approvalGate, approvalSchema, type ApprovalDecision, type ApprovalGate, type ApprovalGateOptions } from './approval-gate.js';
export { durable, type DurableOptions } from './durable.js';
export { durableContext } from './durable-context.js';
export type { RunnableToolLike, ToolResultBlock, ToolUseLike, ToolUseReference } from './tool-use.js';
export type { ModelCallMetadata } from './model-call-metadata.js';
export type { ServerSentEvent } from './server-sent-event.js';
export type { RecordedResponse } from './recorded-response.js';
export { ModelStreamFailedError } from './errors/model-stream-failed-error.js';
export { ApprovalOutsideFlowError } from './errors/approval-outside-flow-error.js';
export { ClientUnsupportedError } from './errors/client-unsupported-error.js';
