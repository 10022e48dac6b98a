/** A `tool_use` content block, structurally (what the model asked to run). */
export interface ToolUseLike {
  /** The id the model gave the call (`toolu_…`); its `tool_result` must name it. */
  readonly id: string;
  /** The tool's name. */
  readonly name: string;
  /** The arguments the model chose. */
  readonly input: unknown;
}

/** Which `tool_use` a tool call answers: its id, the block itself (`{ id }`), or `{ toolUseId }`. */
export type ToolUseReference = string | { readonly id: string } | { readonly toolUseId: string };

/** A `tool_result` content block, structurally (what goes back to the model). */
export interface ToolResultBlock {
  readonly type: 'tool_result';
  /** The `tool_use` this answers. */
  readonly tool_use_id: string;
  /** Text, or content blocks. */
  readonly content: string | readonly unknown[];
  /** Set when the call failed or was rejected: the model reads the content as an error. */
  readonly is_error?: boolean;
}

/**
 * A tool as the SDK's tool runner takes it (`betaZodTool`, `betaTool`, `mcpTools` …), structurally:
 * its definition fields plus `run(args, { toolUse, signal })`.
 */
export interface RunnableToolLike {
  /** The name the model calls the tool by (its checkpoint name). */
  readonly name: string;
  /** Runs the tool; the runner passes the `tool_use` being answered. */
  run(args: never, context?: { readonly toolUse?: { readonly id: string; readonly input?: unknown }; readonly signal?: AbortSignal | null }): unknown;
}

/** The id a tool-use reference names. */
export function toolUseIdOf(reference: ToolUseReference | undefined): string | undefined {
  if (reference === undefined) return undefined;
  if (typeof reference === 'string') return reference;
  return 'toolUseId' in reference ? reference.toolUseId : reference.id;
}
