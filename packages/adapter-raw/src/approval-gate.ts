import { approvalSchema, approvalWaitName, isFlowActive, openWait, type ApprovalDecision } from '@keel/core/adapter';
import { ApprovalOutsideFlowError } from './errors/approval-outside-flow-error.js';
import { loadToolError } from './tool-error.js';
import type { RunnableToolLike, ToolResultBlock, ToolUseLike } from './tool-use.js';

// The wait's schema and the decision are core's, shared by every adapter: `{ approve, reason? }`.
export { approvalSchema, type ApprovalDecision };

/** Options of {@link approvalGate}. */
export interface ApprovalGateOptions {
  /** The tool names that need approval, or a rule that decides per call. */
  readonly needsApproval: readonly string[] | ((toolUse: ToolUseLike) => boolean | Promise<boolean>);
  /** The question shown with the wait (default: the tool's name and input). */
  readonly question?: string | ((toolUse: ToolUseLike) => string);
  /** Give up after this many ms without a decision: the wait throws `WaitTimeoutError` in the loop. */
  readonly timeout?: number;
  /** The `is_error` content the model gets for a rejected call (default: says so, with the reason). */
  readonly rejectionContent?: (decision: ApprovalDecision, toolUse: ToolUseLike) => string;
}

/** Durable approvals for a hand-written loop (see {@link approvalGate}). */
export interface ApprovalGate {
  /** Whether this tool call needs a decision. */
  needsApproval(toolUse: ToolUseLike): Promise<boolean>;
  /**
   * The decision about a tool call: approved at once when it needs none; otherwise a durable wait
   * named `approve_<tool name>` (the process may exit; the loop resumes when input arrives).
   */
  decide(toolUse: ToolUseLike): Promise<ApprovalDecision>;
  /**
   * Decides, then runs `execute` only if approved, and returns the `tool_result` block for the model:
   * the tool's output, or an `is_error` result with the rejection reason (the tool never runs).
   */
  run(toolUse: ToolUseLike, execute: (toolUse: ToolUseLike) => unknown): Promise<ToolResultBlock>;
  /** A runnable tool (for the SDK's tool runner) whose calls wait for approval when they need it. */
  tool<Tool extends RunnableToolLike>(tool: Tool): Tool;
}

/**
 * Approvals for tool calls in a hand-written loop. Before a `tool_use` the user marked as needing
 * approval runs, the loop waits durably for a decision (`{ approve: boolean, reason?: string }`,
 * given with `keel executions input`, the HTTP API, MCP or `runtime.executions.input`). An approved
 * call runs; a rejected one becomes an `is_error` `tool_result` carrying the reason, and the tool
 * never runs.
 *
 * @example
 * ```ts
 * const gate = approvalGate({ needsApproval: ['publish'] });
 * const results = [];
 * for (const block of message.content) {
 *   if (block.type === 'tool_use') results.push(await gate.run(block, () => tools[block.name](block.input, block)));
 * }
 * messages.push({ role: 'user', content: results });
 * ```
 */
export function approvalGate(options: ApprovalGateOptions): ApprovalGate {
  const needsApproval = async (toolUse: ToolUseLike) =>
    typeof options.needsApproval === 'function' ? Boolean(await options.needsApproval(toolUse)) : options.needsApproval.includes(toolUse.name);

  const decide = async (toolUse: ToolUseLike): Promise<ApprovalDecision> => {
    if (!(await needsApproval(toolUse))) return { approve: true };
    if (!isFlowActive()) throw new ApprovalOutsideFlowError({ toolName: toolUse.name, toolUseId: toolUse.id });
    const question = typeof options.question === 'function' ? options.question(toolUse) : (options.question ?? defaultQuestion(toolUse));
    return openWait(approvalWaitName(toolUse.name), {
      schema: approvalSchema,
      question,
      metadata: { toolUseId: toolUse.id, toolName: toolUse.name, input: toolUse.input },
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    });
  };

  const rejection = (decision: ApprovalDecision, toolUse: ToolUseLike) =>
    options.rejectionContent?.(decision, toolUse) ??
    (decision.reason ? `The user rejected this tool call: ${decision.reason}` : 'The user rejected this tool call.');

  return {
    needsApproval,
    decide,
    async run(toolUse, execute) {
      const decision = await decide(toolUse);
      if (!decision.approve) return { type: 'tool_result', tool_use_id: toolUse.id, content: rejection(decision, toolUse), is_error: true };
      const content = await execute(toolUse);
      return { type: 'tool_result', tool_use_id: toolUse.id, content: toolResultContent(content) };
    },
    tool(tool) {
      const run = tool.run.bind(tool) as (args: unknown, context?: Parameters<RunnableToolLike['run']>[1]) => unknown;
      const gatedRun = async (args: unknown, context?: Parameters<RunnableToolLike['run']>[1]) => {
        const toolUse: ToolUseLike = { id: context?.toolUse?.id ?? '', name: tool.name, input: context?.toolUse?.input ?? args };
        const decision = await decide(toolUse);
        if (!decision.approve) {
          // The runner turns a ToolError into an `is_error` result with exactly this content.
          const ToolError = await loadToolError();
          throw new ToolError(rejection(decision, toolUse));
        }
        return run(args, context);
      };
      return { ...tool, run: gatedRun } as unknown as typeof tool;
    },
  };
}

function defaultQuestion(toolUse: ToolUseLike): string {
  const input = JSON.stringify(toolUse.input) ?? '';
  return `Run the tool "${toolUse.name}" with ${input.length > 500 ? `${input.slice(0, 500)}…` : input}?`;
}

/**
 * A tool's output as `tool_result` content: text as it is, an array of content blocks (`{ type: … }`)
 * as it is, anything else (an object, a list of strings) as JSON text.
 */
function toolResultContent(content: unknown): string | readonly unknown[] {
  if (typeof content === 'string') return content;
  if (
    Array.isArray(content) &&
    content.every((block) => typeof block === 'object' && block !== null && typeof (block as { type?: unknown }).type === 'string')
  ) {
    return content as readonly unknown[];
  }
  return JSON.stringify(content) ?? '';
}
