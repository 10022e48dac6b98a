import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** What to do next after a Keel error, in terms of this server's tools (the messages speak of the CLI). */
const hints: Readonly<Record<string, string>> = {
  ExecutionNotFoundError: 'list_executions shows the recent execution ids.',
  CheckpointNotFoundError: 'get_execution lists the checkpoint ids of an execution.',
  ArtifactNotFoundError: 'list_artifacts lists the artifacts of an execution.',
  WaitNotFoundError: 'get_execution shows the waits of an execution, with their ids and status.',
  WaitInputInvalidError: 'get_execution shows the JSON Schema the input must match.',
  FlowCodeNotLoadedError:
    'get_execution, give_input and cancel_execution work without it; a Keel worker that has the code resumes an execution once its input is given.',
  FlowNotFoundError: 'list_flows lists the flows this server can run; the server must be started where the flows are defined (keel.config.ts).',
  ExecutionStateError: 'get_execution shows its status.',
  ExecutionLeasedError: 'Another process runs it now; get_execution shows who holds it. Try again once it has stopped.',
};

/** A successful answer: one text block. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

/**
 * A failed call, as an MCP tool error (`isError: true`) that the calling model reads: the error's own
 * message (Keel's name the execution, checkpoint or wait and what to do), a hint in this server's terms,
 * and the error's class. The server itself goes on answering.
 */
export function errorResult(error: unknown): CallToolResult {
  return { content: [{ type: 'text', text: describeError(error) }], isError: true };
}

/** An error as one message for a tool's caller. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `Error: ${String(error)}`;
  const hint = hints[error.name];
  return `${error.name}: ${error.message}${hint ? ` ${hint}` : ''}`;
}
