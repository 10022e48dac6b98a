import { durableCall, isFlowActive, requestFingerprint, retryOptions } from '@keel/core/adapter';
import type { RunnableConfig } from '@langchain/core/runnables';
import { ParentCommand, isGraphInterrupt, isParentCommand } from '@langchain/langgraph';
import { reviveValue, storeValue, type StoredValue } from './langchain-values.js';
import { recordSerde } from './model-records.js';
import type { DurableToolsOptions, ToolCallOptions } from './options.js';
import { currentRunContext, isRunStopping } from './run-context.js';
import { currentTask, nextCallNumber } from './task-keys.js';

const durableMarker = Symbol.for('keel.langgraph.durableTool');

/** What a tool needs to have to be made durable: a name and LangChain's `invoke`. */
export interface InvokableTool {
  readonly name: string;
  invoke(input: unknown, config?: RunnableConfig): Promise<unknown>;
}

/**
 * How a tool call ended, as recorded. `interrupted` is not a result: the tool called `interrupt()`,
 * LangGraph will run it again with the answer, and that run is a new call (see `key`).
 */
type ToolOutcome =
  | { readonly type: 'result'; readonly value: StoredValue }
  | { readonly type: 'interrupted' }
  | { readonly type: 'parent-command'; readonly command: StoredValue };

/**
 * Makes a LangChain tool durable inside Keel flows: each call is a checkpoint keyed by its tool call
 * id, scoped by the graph task that made it (so ids a model reuses in later turns cannot collide).
 * When LangGraph runs the tools node again, completed calls return their recorded result and the tool
 * does not run. Works for `StructuredTool`s, `tool()` tools and MCP tools from
 * `@langchain/mcp-adapters` (recorded with kind `mcp`). Wrapping twice returns the same tool.
 *
 * The returned tool is the same tool for LangChain (name, schema, description, `instanceof`); only
 * `invoke` goes through Keel. Outside a flow it behaves exactly like the original.
 */
export function durableTool<T extends InvokableTool>(tool: T, options: ToolCallOptions = {}): T {
  if ((tool as unknown as Record<symbol, unknown>)[durableMarker] === true) return tool;
  const invoke = (input: unknown, config?: RunnableConfig) => invokeDurably(tool, input, config, options);
  return new Proxy(tool, {
    get(target, property, receiver) {
      if (property === 'invoke') return invoke;
      if (property === durableMarker) return true;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/**
 * Makes every tool durable (see {@link durableTool}), with options for all and per tool name.
 *
 * @example
 * ```ts
 * const tools = durableTools([searchNews, sendEmail], { tools: { send_email: { delivery: 'at-most-once' } } });
 * ```
 */
export function durableTools<Tool extends InvokableTool>(tools: readonly Tool[], options: DurableToolsOptions = {}): Tool[] {
  const { tools: perTool, ...defaults } = options;
  return tools.map((tool) => durableTool(tool, { ...defaults, ...perTool?.[tool.name] }));
}

async function invokeDurably(tool: InvokableTool, input: unknown, config: RunnableConfig | undefined, options: ToolCallOptions): Promise<unknown> {
  if (!isFlowActive()) return tool.invoke(input, config);
  const toolCall = asToolCall(input);
  const task = currentTask(config);
  const base = toolCall?.id ? `${task ? `${task.key}:` : ''}${toolCall.id}` : task ? `${task.key}#${nextCallNumber(task, `tool:${tool.name}`)}` : undefined;
  const args = toolCall ? toolCall.args : input;
  const capture = options.capture ?? 'full';
  const turn = currentRunContext()?.granularity === 'turn';
  const spec = {
    name: tool.name,
    // Inside a graph task the call is identified by its key alone: LangGraph skips the nodes that
    // finished when it resumes, so calls come in another order in every session.
    ...(task ? { ordered: false } : {}),
    kind: options.kind ?? (isMcpTool(tool) ? ('mcp' as const) : ('tool' as const)),
    fingerprint: requestFingerprint(args),
    ...(capture === 'full' ? { input: args } : {}),
    ...(capture !== 'none'
      ? { metadata: { tool: tool.name, ...(toolCall?.id ? { toolCallId: toolCall.id } : {}), ...(task ? { node: task.node } : {}) } }
      : {}),
    ...retryOptions(options),
    ...(options.delivery !== undefined ? { delivery: options.delivery } : {}),
    durable: turn ? false : (options.durable ?? true),
  };
  // A call that ended in `interrupt()` is recorded as such; LangGraph then runs the tool again with
  // the answer, which is a new call under the next key (`<key>+1`, `+2` …; not `~n`, which core
  // gives a key repeated within one scope).
  try {
    return await callWithReruns(tool, input, config, spec, base);
  } catch (error) {
    if (isRunStopping(error)) currentRunContext()?.stop(error);
    throw error;
  }
}

async function callWithReruns(
  tool: InvokableTool,
  input: unknown,
  config: RunnableConfig | undefined,
  spec: Parameters<typeof durableCall>[0],
  base: string | undefined,
): Promise<unknown> {
  for (let rerun = 0; ; rerun++) {
    let live: { value: unknown } | undefined;
    let interruption: unknown;
    let parentCommand: unknown;
    const key = base === undefined ? undefined : rerun === 0 ? base : `${base}+${rerun}`;
    const outcome = await durableCall<ToolOutcome>({ ...spec, ...(key !== undefined ? { key } : {}) }, async (context) => {
      const signal = config?.signal ? AbortSignal.any([context.signal, config.signal]) : context.signal;
      try {
        const value = await tool.invoke(input, { ...config, signal });
        live = { value };
        return { type: 'result', value: await storeValue(recordSerde, value) };
      } catch (error) {
        if (isGraphInterrupt(error)) {
          interruption = error;
          return { type: 'interrupted' };
        }
        if (isParentCommand(error)) {
          parentCommand = error;
          return { type: 'parent-command', command: await storeValue(recordSerde, (error as ParentCommand).command) };
        }
        throw error;
      }
    });
    if (outcome.type === 'result') return live ? live.value : reviveValue(recordSerde, outcome.value);
    if (outcome.type === 'parent-command') {
      throw parentCommand ?? new ParentCommand((await reviveValue(recordSerde, outcome.command)) as ParentCommand['command']);
    }
    if (interruption !== undefined) throw interruption;
  }
}

interface ToolCallInput {
  readonly id?: string;
  readonly name: string;
  readonly args: unknown;
}

function asToolCall(input: unknown): ToolCallInput | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const record = input as Record<string, unknown>;
  if (record['type'] === 'tool_call' || ('args' in record && 'name' in record && 'id' in record)) {
    return { ...(typeof record['id'] === 'string' ? { id: record['id'] } : {}), name: String(record['name']), args: record['args'] };
  }
  return undefined;
}

/** Tools made by `@langchain/mcp-adapters` carry the server's annotations in their metadata. */
function isMcpTool(tool: InvokableTool): boolean {
  const fields = tool as unknown as { metadata?: Record<string, unknown>; responseFormat?: unknown };
  return fields.responseFormat === 'content_and_artifact' && fields.metadata !== undefined && 'annotations' in fields.metadata;
}
