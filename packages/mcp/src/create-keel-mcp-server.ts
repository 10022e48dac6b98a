import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Runtime } from '@keel/core';
import { registerExecutionResources } from './resources/execution-resources.js';
import { BackgroundRuns } from './runs/background-runs.js';
import { RunOperations } from './runs/run-operations.js';
import { registerArtifactTools } from './tools/artifact-tools.js';
import { registerFlowTools } from './tools/flow-tools.js';
import { registerExperimentTools } from './tools/experiment-tools.js';
import { registerInspectionTools } from './tools/inspection-tools.js';
import { registerOperationTools } from './tools/operation-tools.js';
import { describeError } from './tools/tool-result.js';

/** The version this server reports to clients. */
export const serverVersion = '0.1.0';

/** Options of {@link createKeelMcpServer}. */
export interface KeelMcpServerOptions {
  /**
   * The runtime whose store the tools read and whose flows they run. Resume, retry and replay run the
   * flow code in this process, so register the flows on it (the CLI loads `keel.config.ts`).
   */
  readonly runtime: Runtime;
  /**
   * Where runs this server answered before they ended (resume, retry, replay past `waitSeconds`) are
   * followed. Pass your own to share it between servers and to await {@link BackgroundRuns.idle}
   * before closing the runtime; by default each server has one, and their operational errors go to stderr.
   */
  readonly runs?: BackgroundRuns;
  /**
   * Set when the runtime has no flow code on purpose (an operator's view of a bare store): how to load
   * it, in a sentence. Resume, retry, replay and run of a flow the runtime does not know then fail with
   * `FlowCodeNotLoadedError` naming the flow and saying this; inspecting, giving input and cancelling
   * need no code.
   */
  readonly flowCodeMissing?: string;
}

/** What the server tells a client's model about using it. */
const instructions =
  'Keel makes AI-agent runs durable: every model call, tool call, MCP call and human wait of an execution is a checkpoint with its stored input, output and error. ' +
  'To find out why a run failed: list_executions (status "failed"), then explain_failure, then get_checkpoint for details. ' +
  'Long answers are paged: when one ends with "truncated: … call again with offset=N", call the same tool with that offset. ' +
  "give_input answers a waiting execution; resume_execution, retry_execution and replay_execution run flow code in this server's process and wait for it up to waitSeconds; " +
  'run_flow queues a new execution for a Keel worker.';

/**
 * Creates Keel's MCP server: tools to list, inspect and explain executions, read their artifacts and
 * logs, give input to waits, resume, retry, cancel and replay them, list flows and start runs; and the
 * resources `keel://executions/{executionId}` and `keel://executions/{executionId}/artifacts/{name}`.
 * Connect it to any MCP transport; {@link serveStdio} and {@link createMcpHttpHandler} do that for you.
 *
 * @example
 * ```ts
 * const server = createKeelMcpServer({ runtime: defaultRuntime() });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createKeelMcpServer(options: KeelMcpServerOptions): McpServer {
  const runs = options.runs ?? new BackgroundRuns(reportToStderr);
  const operations = new RunOperations(options.runtime, runs, options.flowCodeMissing);
  const server = new McpServer({ name: 'keel', title: 'Keel', version: serverVersion }, { instructions, jsonSchemaValidator: sharedValidator() });
  const context = { runtime: options.runtime, operations };
  registerInspectionTools(server, context);
  registerArtifactTools(server, context);
  registerOperationTools(server, context);
  registerFlowTools(server, context);
  registerExperimentTools(server, context);
  registerExecutionResources(server, options.runtime);
  return server;
}

let validator: AjvJsonSchemaValidator | undefined;

/**
 * One JSON Schema validator for every server: each would otherwise build its own Ajv, which costs more
 * than the rest of a server, and the HTTP endpoint builds a server per request.
 */
function sharedValidator(): AjvJsonSchemaValidator {
  validator ??= new AjvJsonSchemaValidator();
  return validator;
}

/** The default for runs that fail operationally after their answer went out (a lost lease, a store gone). */
export function reportToStderr(error: unknown, run: { readonly operation: string; readonly executionId: string }): void {
  process.stderr.write(`keel mcp: the ${run.operation} of execution ${run.executionId} stopped: ${describeError(error)}\n`);
}
