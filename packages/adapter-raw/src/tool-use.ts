/** A `tool_use` content block, structurally (what the model asked to run). */
export interface ToolUseLike {
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
}

/** Which `tool_use` a tool call answers: its id, or the block itself. */
export type ToolUseReference = string | { readonly id: string };

/** A `tool_result` content block, structurally (what goes back to the model). */
export interface ToolResultBlock {
  readonly type: 'tool_result';
  readonly tool_use_id: string;
  readonly content: string | readonly unknown[];
  readonly is_error?: boolean;
}

/**
 * A tool as the SDK's tool runner takes it (`betaZodTool`, `betaTool`, `mcpTools` …), structurally:
 * its definition fields plus `run(args, { toolUse, signal })`.
 */
export interface RunnableToolLike {
  readonly name: string;
  run(args: never, context?: { readonly toolUse?: { readonly id: string; readonly input?: unknown }; readonly signal?: AbortSignal | null }): unknown;
}

/** The id a tool-use reference names. */
export function toolUseIdOf(reference: ToolUseReference | undefined): string | undefined {
  if (reference === undefined) return undefined;
  return typeof reference === 'string' ? reference : reference.id;
}
