import { toJsonView, type JsonValue } from '@keel/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ExecutionRecord, ReplayOptions } from '@keel/core';
import type { BoundedOutcome } from '../runs/bounded-wait.js';
import { loadExecutionRecords } from '../views/execution-records.js';
import { jsonText } from '../views/json-view.js';
import { retryPlan } from '../views/retry-plan.js';
import { pendingWaitView, runResultView } from '../views/run-result-view.js';
import { defineTool, type ToolDefinition, executionIdArgument, type ToolContext } from './define-tool.js';

/** The default and the longest bounded wait for a run started by a tool, in seconds. */
export const defaultWaitSeconds = 20;
/** MCP clients give up on a request after 60 s by default; an answer must come before that. */
export const longestWaitSeconds = 55;

/** The `waitSeconds` argument of tools that run flow code in this process. */
export const waitSecondsArgument = z
  .number()
  .min(0)
  .max(longestWaitSeconds)
  .optional()
  .describe(
    `How long to wait for the run to end or reach a wait before answering, in seconds (default ${defaultWaitSeconds}, at most ${longestWaitSeconds}: MCP clients give up on a call after 60 s by default). ` +
      "A run still going then continues in this server's process; follow it with get_execution.",
  );

type JsonObject = { [key: string]: JsonValue };

const changes = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;

const giveInputTool = {
  name: 'give_input',
  title: 'Give input to a wait',
  description:
    "Answers a pending wait of a waiting execution (an approval, a human decision, a service's reply) with a JSON value, validated against the wait's JSON Schema (get_execution shows it); " +
    "invalid input changes nothing. With resume=true the execution then continues in this server's process; otherwise a Keel worker (keel worker) resumes it.",
  inputSchema: {
    executionId: executionIdArgument,
    wait: z.string().min(1).describe('The wait\'s name (e.g. "approve_publish") or id (e.g. "approve_publish:1"), as get_execution lists it.'),
    value: z.unknown().describe('The input: any JSON value matching the wait\'s schema (e.g. true, or {"approved": true}).'),
    resume: z.boolean().optional().describe('Continue the execution here once no wait is pending (default false: a worker does).'),
    waitSeconds: waitSecondsArgument,
  },
  annotations: { ...changes, openWorldHint: false },
} satisfies ToolDefinition;

const resumeExecutionTool = {
  name: 'resume_execution',
  title: 'Resume an execution',
  description:
    "Continues a waiting execution whose waits have input, or an abandoned one (its process died), or starts a queued one, in this server's process: the flow body runs from the top, " +
    'completed checkpoints return their stored outputs without running, and the rest runs live. Waits for it up to waitSeconds, then answers with its result or that it is still running here.',
  inputSchema: { executionId: executionIdArgument, waitSeconds: waitSecondsArgument },
  annotations: changes,
} satisfies ToolDefinition;

const retryExecutionTool = {
  name: 'retry_execution',
  title: 'Retry a failed execution',
  description:
    "Runs a failed execution again in this server's process: completed checkpoints (model calls, tool calls) return their stored outputs, so they are not paid for twice; " +
    'the failed and unfinished ones run again (explain_failure lists them first). Waits for it up to waitSeconds.',
  inputSchema: { executionId: executionIdArgument, waitSeconds: waitSecondsArgument },
  annotations: changes,
} satisfies ToolDefinition;

const cancelExecutionTool = {
  name: 'cancel_execution',
  title: 'Cancel an execution',
  description:
    'Cancels an execution: a queued, waiting or abandoned one becomes cancelled at once; one running in a process stops at its next checkpoint (its calls see their AbortSignal). ' +
    'A completed or cancelled execution cannot be cancelled.',
  inputSchema: { executionId: executionIdArgument },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
} satisfies ToolDefinition;

const replayExecutionTool = {
  name: 'replay_execution',
  title: 'Replay an execution',
  description:
    "Makes a NEW execution from an existing one (any status) and runs it in this server's process, reusing the original's completed checkpoints: " +
    "from=<checkpoint id> reuses only what completed before it and runs it and everything after live; overrides replace chosen checkpoints' outputs (e.g. a fixed tool result); " +
    'hermetic=true fails on any call that has no record instead of running it live (for tests and evals). The original is not changed.',
  inputSchema: {
    executionId: executionIdArgument,
    from: z.string().min(1).optional().describe('The checkpoint id to run again from, e.g. "fetch_page:1".'),
    overrides: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Checkpoint id → the output to use instead of the recorded one, e.g. {"fetch_page:1": {"status": 200, "body": "…"}}.'),
    hermetic: z.boolean().optional().describe('Fail on any call with no record instead of running it live (default false).'),
    waitSeconds: waitSecondsArgument,
  },
  annotations: changes,
} satisfies ToolDefinition;

/** Tools that change executions: give input, resume, retry, cancel, replay. Each answer says what it changed. */
export function registerOperationTools(server: McpServer, context: ToolContext): void {
  const { runtime, operations } = context;
  defineTool(server, giveInputTool, async ({ executionId, wait, value, resume, waitSeconds }) => {
    const given = await runtime.executions.input(executionId, wait, value, { resolvedBy: 'mcp' });
    const answer: JsonObject = {
      changed: `Stored the input for wait "${given.waitId}" of execution ${executionId} (resolved by "mcp").`,
      value: toJsonView(value),
    };
    if (given.pending.length) {
      answer.stillPending = given.pending.map(pendingWaitView);
      answer.next = `The execution still waits on ${given.pending.map((pending) => pending.id).join(', ')}; it continues once they have input too.`;
      return jsonText(answer);
    }
    if (!resume) {
      answer.next = `No wait is pending now: a Keel worker (keel worker) resumes it, or call resume_execution executionId=${executionId} to continue it in this server.`;
      return jsonText(answer);
    }
    try {
      const outcome = await operations.continue('resume', executionId, waitMillisecondsOf(waitSeconds));
      const resumed = outcomeAnswer('Then resumed', executionId, outcome, waitSeconds);
      return jsonText({ ...answer, ...resumed, changed: `${String(answer.changed)} ${String(resumed.changed)}` });
    } catch (error) {
      // The input is stored either way; what failed is only the resume here (a worker may hold it already).
      answer.resume = `Not resumed here: ${error instanceof Error ? error.message : String(error)}`;
      return jsonText(answer);
    }
  });

  defineTool(server, resumeExecutionTool, async ({ executionId, waitSeconds }) => {
    const outcome = await operations.continue('resume', executionId, waitMillisecondsOf(waitSeconds));
    return jsonText(outcomeAnswer('Resumed', executionId, outcome, waitSeconds));
  });

  defineTool(server, retryExecutionTool, async ({ executionId, waitSeconds }) => {
    const before = await loadExecutionRecords(runtime, executionId);
    const plan = before.execution.status === 'failed' ? retryPlan(before.checkpoints) : undefined;
    const outcome = await operations.continue('retry', executionId, waitMillisecondsOf(waitSeconds));
    const answer = outcomeAnswer('Retried', executionId, outcome, waitSeconds);
    if (plan) {
      answer.reused = plan.reused.length > 50 ? [...plan.reused.slice(0, 50), `… and ${plan.reused.length - 50} more`] : [...plan.reused];
      answer.ranAgain = plan.reruns.map((rerun) => rerun.id);
    }
    return jsonText(answer);
  });

  defineTool(server, cancelExecutionTool, async ({ executionId }) => {
    const store = await runtime.store();
    const before = await store.getExecution(executionId);
    const { status } = await runtime.executions.cancel(executionId);
    return jsonText({ executionId, status, changed: cancelSentence(executionId, status, before) });
  });

  defineTool(server, replayExecutionTool, async ({ executionId, from, overrides, hermetic, waitSeconds }) => {
    const options: ReplayOptions = {
      ...(from !== undefined ? { from } : {}),
      ...(overrides !== undefined ? { overrides } : {}),
      ...(hermetic !== undefined ? { hermetic } : {}),
    };
    const outcome = await operations.replay(executionId, options, waitMillisecondsOf(waitSeconds));
    const newId = 'running' in outcome ? outcome.running : outcome.result.executionId;
    const answer = outcomeAnswer('Replayed', newId, outcome, waitSeconds);
    const reuse = [
      from !== undefined ? `reusing the checkpoints that completed before ${from}` : 'reusing every completed checkpoint',
      overrides ? `with ${Object.keys(overrides).length} output(s) overridden (${Object.keys(overrides).join(', ')})` : '',
      hermetic ? 'hermetic' : '',
    ]
      .filter(Boolean)
      .join(', ');
    answer.changed = `Created execution ${newId} as a replay of ${executionId} (${reuse}); the original is unchanged. ${String(answer.changed)}`;
    return jsonText({ replayOf: executionId, ...answer });
  });
}

/** The bounded wait in milliseconds. */
export function waitMillisecondsOf(waitSeconds: number | undefined): number {
  return Math.round((waitSeconds ?? defaultWaitSeconds) * 1000);
}

/** What a run started here did, for an operation's answer. */
function outcomeAnswer(verb: string, executionId: string, outcome: BoundedOutcome, waitSeconds: number | undefined): JsonObject {
  if ('running' in outcome) {
    return {
      changed: `${verb} execution ${executionId}: it is running in this MCP server's process (which holds its lease) and had not ended after ${waitSeconds ?? defaultWaitSeconds} s.`,
      executionId,
      status: 'running',
      next: `get_execution executionId=${executionId} shows how far it got.`,
    };
  }
  const { result } = outcome;
  const how: Record<typeof result.status, string> = {
    completed: 'it ran to completion',
    failed: 'it failed (explain_failure says where)',
    waiting: `it stopped at ${result.waits?.length === 1 ? 'a wait' : 'waits'} for input (give_input answers ${result.waits?.length === 1 ? 'it' : 'them'})`,
    cancelled: 'it was cancelled',
  };
  return { changed: `${verb} execution ${result.executionId} in this server's process: ${how[result.status]}.`, ...runResultView(result) };
}

function cancelSentence(executionId: string, status: string, before: ExecutionRecord | null): string {
  if (status === 'cancelled') return `Cancelled execution ${executionId}${before ? ` (it was ${before.status})` : ''}: its status is now cancelled.`;
  const where = before?.lease ? ` on ${before.lease.host} (pid ${before.lease.pid})` : '';
  return `Asked execution ${executionId} to cancel: it is running${where}, and stops at its next checkpoint; get_execution shows when it is cancelled.`;
}
