import type { Delivery } from '@keel/core';
import { durableCall, normalizeRequest, requestFingerprint, type CheckpointContext, type CheckpointOptions } from '@keel/core/adapter';
import { runInDurableContext } from './durable-context.js';
import { reviveToolError } from './tool-error.js';
import { toolUseIdOf, type RunnableToolLike, type ToolUseReference } from './tool-use.js';

/** Options of {@link durableTool}. */
export interface DurableToolOptions extends Pick<CheckpointOptions, 'retries' | 'backoff' | 'retryOn' | 'timeout' | 'durable' | 'metadata'> {
  /** `tool` (default) or `mcp`; runnable tools made by the SDK's `mcpTool`/`mcpTools` are `mcp` by themselves. */
  readonly kind?: 'tool' | 'mcp';
  /**
   * `at-least-once` (default): a call interrupted by a crash runs again on resume. `at-most-once`:
   * it does not; the execution waits for a decision (`rerun` or `fail`) instead — for tools whose
   * effect must not happen twice and that cannot use the idempotency key.
   */
  readonly delivery?: Delivery;
}

/** What a durable tool's function gets besides its input. */
export interface ToolCallContext extends CheckpointContext {
  /** The `tool_use` id this call answers, when the caller passed one. */
  readonly toolUseId: string | undefined;
}

/** A function made durable by {@link durableTool}. */
export interface DurableTool<Input, Output> {
  /**
   * Runs the tool as a checkpoint, or returns its recorded result. Pass the `tool_use` block (or its
   * id) the call answers: it becomes the checkpoint key, so the call is found again on resume
   * whatever order the loop runs its tool calls in.
   */
  (input: Input, toolUse?: ToolUseReference): Promise<Output>;
  /** The tool's name: its checkpoint name. */
  readonly toolName: string;
}

const wrapped = Symbol.for('keel.adapter-raw.durableTool');

/**
 * Makes a tool durable: each call is a checkpoint named after the tool and keyed by the `tool_use`
 * id it answers. Completed calls are not run again on resume or replay; their recorded result is
 * returned. The function gets the checkpoint context (`idempotencyKey`, `signal`, `attempt` …) and
 * the `toolUseId`.
 *
 * Given one of the SDK's runnable tools (`betaZodTool`, `betaTool`, `mcpTools` …), it returns the same
 * tool with a durable `run`, for `client.beta.messages.toolRunner()`.
 *
 * @example
 * ```ts
 * const search = durableTool('search_news', (input: { query: string }) => searchNews(input.query));
 * for (const block of message.content) if (block.type === 'tool_use') await search(block.input, block);
 * ```
 */
export function durableTool<Input, Output>(
  name: string,
  fn: (input: Input, context: ToolCallContext) => Output | Promise<Output>,
  options?: DurableToolOptions,
): DurableTool<Input, Awaited<Output>>;
export function durableTool<Tool extends RunnableToolLike>(tool: Tool, options?: DurableToolOptions): Tool;
export function durableTool(
  nameOrTool: string | RunnableToolLike,
  fnOrOptions?: ((input: unknown, context: ToolCallContext) => unknown) | DurableToolOptions,
  maybeOptions?: DurableToolOptions,
): unknown {
  if (typeof nameOrTool === 'string') {
    if (typeof fnOrOptions !== 'function') throw new TypeError(`durableTool("${nameOrTool}", fn): fn must be a function`);
    return durableFunction(nameOrTool, fnOrOptions, maybeOptions ?? {});
  }
  return durableRunnable(nameOrTool, (fnOrOptions as DurableToolOptions | undefined) ?? {});
}

function durableFunction(name: string, fn: (input: unknown, context: ToolCallContext) => unknown, options: DurableToolOptions): DurableTool<unknown, unknown> {
  const tool = (input: unknown, toolUse?: ToolUseReference) => {
    const toolUseId = toolUseIdOf(toolUse);
    return durableCall(callSpec(name, input, toolUseId, options), (context) => runInDurableContext(context, () => fn(input, { ...context, toolUseId })));
  };
  return Object.assign(tool, { toolName: name });
}

function durableRunnable<Tool extends RunnableToolLike>(tool: Tool, options: DurableToolOptions): Tool {
  if ((tool as unknown as Record<symbol, unknown>)[wrapped]) return tool;
  const kind = options.kind ?? (isMcpTool(tool) ? 'mcp' : 'tool');
  const run = tool.run.bind(tool) as (args: unknown, context?: Parameters<RunnableToolLike['run']>[1]) => unknown;
  const durableRun = async (args: unknown, context?: Parameters<RunnableToolLike['run']>[1]) => {
    const spec = callSpec(tool.name, args, context?.toolUse?.id, { ...options, kind });
    try {
      return await durableCall(spec, (checkpoint) => runInDurableContext(checkpoint, () => run(args, context)));
    } catch (error) {
      throw await reviveToolError(error);
    }
  };
  // A copy, so the definition fields (and the SDK's helper marker) stay as they were.
  const copy = { ...tool, run: durableRun } as unknown as Tool;
  Object.defineProperty(copy, wrapped, { value: true });
  return copy;
}

function callSpec(name: string, input: unknown, toolUseId: string | undefined, options: DurableToolOptions) {
  const { kind, metadata, ...rest } = options;
  return {
    ...rest,
    name,
    kind: kind ?? 'tool',
    // Core tells reused tool-use ids apart itself (`name:toolu_01~2`), in the order calls start.
    ...(toolUseId !== undefined ? { key: toolUseId } : {}),
    fingerprint: requestFingerprint(input),
    input: normalizeRequest(input),
    metadata: { ...metadata, tool: name, ...(toolUseId !== undefined ? { toolUseId } : {}) },
  };
}

/** Whether a runnable tool was made by the SDK's MCP helpers (they tag it with a helper symbol). */
function isMcpTool(tool: object): boolean {
  return Object.getOwnPropertySymbols(tool).some(
    (symbol) => symbol.description === 'anthropic.sdk.stainlessHelper' && (tool as Record<symbol, unknown>)[symbol] === 'mcpTool',
  );
}
