/**
 * @module Make LangGraph.js graphs durable with Keel: a Keel-backed checkpointer, call-level
 * checkpoints for model and tool calls inside nodes, and `interrupt()` as a durable wait.
 *
 * ```ts
 * import { durableGraph, durableChatModel, durableTools, KeelCheckpointSaver } from '@keel/adapter-langgraph';
 * ```
 */
export { durableGraph, type DurableGraph, type DurableGraphHandle } from './durable-graph.js';
export { durableChatModel, DurableChatModel } from './durable-chat-model.js';
export { durableTool, durableTools, type InvokableTool } from './durable-tools.js';
export { KeelCheckpointSaver, type KeelCheckpointSaverOptions } from './keel-checkpoint-saver.js';
export type { CallOptions, DurableChatModelOptions, DurableGraphOptions, DurableToolsOptions, Granularity, ToolCallOptions } from './options.js';
export { ThreadIdMissingError } from './thread-id-missing-error.js';
export { InterruptResumeAmbiguousError } from './interrupt-resume-ambiguous-error.js';
export { ModelToolsUnsupportedError } from './model-tools-unsupported-error.js';
export { WritesCheckpointMissingError } from './writes-checkpoint-missing-error.js';
