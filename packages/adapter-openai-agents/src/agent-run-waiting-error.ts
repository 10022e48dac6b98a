import { KeelError, type PendingWait } from '@keel/core';

/**
 * An agent run started outside a flow stopped to wait for input — a tool approval, or a decision on
 * an interrupted at-most-once call. The execution is stored as `waiting`: give the input (CLI, HTTP,
 * MCP or `runtime.executions.input`), then call `run()` again with the same input (or the same `key`)
 * to continue it, in this process or another.
 */
export class AgentRunWaitingError extends KeelError {
  /** The execution that waits. */
  readonly executionId: string;
  /** The agent that was run. */
  readonly agent: string;
  /** The open waits, with their ids, questions and schemas. */
  readonly waits: readonly PendingWait[];

  constructor({ executionId, agent, waits }: { executionId: string; agent: string; waits: readonly PendingWait[] }) {
    const names = waits.map((wait) => `"${wait.id}"`).join(', ') || '(none)';
    const first = waits.find((wait) => wait.metadata?.['kind'] === 'tool-approval');
    const example = first
      ? ` For example: runtime.executions.input("${executionId}", "${first.id}", { approve: true }) or ` +
        `\`keel executions input ${executionId} ${first.id} '{"approve":true}'\`.`
      : '';
    super(
      `Agent "${agent}" is waiting for input in execution "${executionId}": ${names}. ` +
        `Give the input, then call run() again with the same input (or key) to continue it.${example}`,
    );
    this.executionId = executionId;
    this.agent = agent;
    this.waits = waits;
  }

  /** True for this error, from any copy of this package. */
  static override isInstance(error: unknown): error is AgentRunWaitingError {
    return KeelError.isInstance(error) && error.name === 'AgentRunWaitingError';
  }
}
