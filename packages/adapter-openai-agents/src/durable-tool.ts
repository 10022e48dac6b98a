import { checkpointKey, durableCall, isFlowActive, requestFingerprint } from '@keel/core/adapter';
import type { FunctionTool, RunContext } from '@openai/agents';

type ToolCallDetails = Parameters<FunctionTool['invoke']>[2];
import { currentLane, runInLane } from './durable-lane.js';

/** What kind of tool a wrapped tool is: a function tool (agents as tools included) or an MCP tool. */
export type ToolKind = 'tool' | 'mcp';

const wrapped = Symbol.for('keel.openai-agents.durable-tool');

type Invoke = FunctionTool['invoke'];
type WrappedTool = FunctionTool<any, any, any> & { [wrapped]?: { readonly kind: ToolKind; readonly original: Invoke } };

/**
 * Makes a function tool durable, in place: inside a durable run each `invoke` is a checkpoint named
 * after the tool, keyed by its call id (core's `checkpointKey`), fingerprinted by its arguments. Outside a durable run the tool behaves as before.
 *
 * In place, because the SDK recognizes tools by identity (agents used as tools, pending approvals in
 * a `RunState`); the wrapper is installed once per tool object.
 *
 * An agent used as a tool (`agent.asTool()`) is recorded as a group rather than a stored result: its
 * nested run's model and tool calls are its child checkpoints, and on resume the nested run runs again
 * over them. That keeps the SDK's bookkeeping of the nested run (its interruptions, its result) alive.
 */
export function makeToolDurable(tool: FunctionTool<any, any, any>, kind: ToolKind): void {
  const target = tool as WrappedTool;
  if (target[wrapped]) return;
  const original = target.invoke;
  const isAgentTool = typeof (target as { on?: unknown }).on === 'function';
  Object.defineProperty(target, wrapped, { value: { kind, original }, enumerable: false });
  target.invoke = function durableInvoke(runContext: RunContext<any>, input: string, details?: ToolCallDetails) {
    const lane = currentLane();
    if (!lane || !isFlowActive()) return original.call(target, runContext, input, details);
    const { settings } = lane;
    const policy = settings.tool(target.name);
    const recordKind = policy.kind ?? kind;
    const callId = details?.toolCall?.callId;
    // An agent used as a tool is a group (see above) unless its policy says otherwise.
    const durable = policy.durable ?? (isAgentTool ? false : undefined);
    return durableCall(
      {
        ...settings.retries(recordKind, target.name),
        ...(durable !== undefined ? { durable } : {}),
        ...(policy.delivery !== undefined ? { delivery: policy.delivery } : {}),
        name: checkpointName(target.name),
        kind: recordKind,
        ...(callId ? { key: checkpointKey(callId) } : {}),
        fingerprint: requestFingerprint({ tool: target.name, arguments: input }),
        input: settings.capturedInput(recordKind, target.name, () => parsedArguments(input)),
        metadata: settings.metadata(recordKind, target.name, { callId, agent: lane.agent }),
      },
      (context) => runInLane({ settings, agent: undefined, toolCall: context }, () => original.call(target, runContext, input, details)),
    );
  };
}

/** Whether a tool was made durable. */
export function isDurableTool(tool: unknown): boolean {
  return typeof tool === 'object' && tool !== null && (tool as WrappedTool)[wrapped] !== undefined;
}

/** A tool name as a checkpoint name: a `/` would read as a path separator in checkpoint ids. */
function checkpointName(name: string): string {
  return name.replaceAll('/', '_');
}

function parsedArguments(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
