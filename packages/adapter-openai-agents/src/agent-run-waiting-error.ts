import { ExecutionWaitingError, type PendingWait } from '@keel/core';

/**
 * An agent run started outside a flow stopped to wait for input — a tool approval, or a decision on
 * an interrupted at-most-once call. Core's {@link ExecutionWaitingError} (so
 * `ExecutionWaitingError.isInstance` is true for it too), with the agent's name: give the input
 * (CLI, HTTP, MCP or `runtime.executions.input`), then call `run()` again with the same input (or
 * the same `key`) to continue it, in this process or another.
 */
export class AgentRunWaitingError extends ExecutionWaitingError {
  override readonly name: string = 'AgentRunWaitingError';
  /** The agent that was run. */
  readonly agent: string;

  constructor({ executionId, agent, waits }: { executionId: string; agent: string; waits: readonly PendingWait[] }) {
    super({ executionId, waits, subject: `Agent "${agent}"` });
    this.agent = agent;
  }

  /** True for this error, from any copy of this package. */
  static override isInstance(error: unknown): error is AgentRunWaitingError {
    return ExecutionWaitingError.isInstance(error) && error.name === 'AgentRunWaitingError';
  }
}
