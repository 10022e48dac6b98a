import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError, ErrorCode, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { KeelError, type Runtime } from '@keel/core';
import { describeError } from '../tools/tool-result.js';
import { artifactMimeType, artifactText } from '../views/artifact-text.js';
import { executionDocument } from '../views/execution-document.js';
import { loadExecutionRecords } from '../views/execution-records.js';
import { jsonText } from '../views/json-view.js';
import { artifactUri, executionUri } from './resource-uris.js';

/** How many executions `resources/list` names (newest first); older ones are read by URI all the same. */
export const listedExecutions = 50;
/** Whose artifacts `resources/list` names: the newest this many executions. */
export const listedArtifactExecutions = 20;
/** Resources are read whole by the client; a text longer than this is cut, pointing at the paged tool. */
export const largestResourceChars = 1_000_000;

/**
 * The resources: `keel://executions/{executionId}` (what get_execution shows, as JSON) and
 * `keel://executions/{executionId}/artifacts/{name}` (the artifact's value). Listing names the newest
 * executions and their artifacts; a read of an unknown id answers with an MCP error naming it.
 */
export function registerExecutionResources(server: McpServer, runtime: Runtime): void {
  server.registerResource(
    'execution',
    new ResourceTemplate('keel://executions/{executionId}', {
      list: async () => {
        const executions = await runtime.executions.list({ limit: listedExecutions });
        return {
          resources: executions.map((execution) => ({
            uri: executionUri(execution.id),
            name: `${execution.flow} ${execution.id} (${execution.status})`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'Keel execution',
      description: 'A Keel execution: status, error, waits, token totals, the checkpoint tree, artifacts, input and output (JSON).',
      mimeType: 'application/json',
    },
    async (uri, variables) =>
      readOrFail(uri, async () => {
        const executionId = variableOf(variables.executionId);
        const records = await loadExecutionRecords(runtime, executionId);
        const document = await executionDocument(records, await records.store.listArtifacts(executionId));
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: capped(jsonText(document), `get_execution executionId=${executionId}`) }] };
      }),
  );

  server.registerResource(
    'artifact',
    new ResourceTemplate('keel://executions/{executionId}/artifacts/{name}', {
      list: async () => {
        const executions = await runtime.executions.list({ limit: listedArtifactExecutions });
        const resources = [];
        for (const execution of executions) {
          for (const artifact of await runtime.executions.artifacts(execution.id)) {
            resources.push({
              uri: artifactUri(execution.id, artifact.name),
              name: `${artifact.name} of ${execution.flow} ${execution.id}`,
              description: `${artifact.type}, ${artifact.payload.size} bytes`,
            });
          }
        }
        return { resources };
      },
    }),
    { title: 'Keel artifact', description: 'A value an execution saved (a report, a dataset) or its output: text as it is, JSON, or bytes.' },
    async (uri, variables) =>
      readOrFail(uri, async () => {
        const executionId = variableOf(variables.executionId);
        const name = variableOf(variables.name);
        const { record, value } = await runtime.executions.artifact(executionId, name);
        const mimeType = artifactMimeType(record, value);
        if (value instanceof Uint8Array) {
          return { contents: [{ uri: uri.href, mimeType, blob: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }] };
        }
        return { contents: [{ uri: uri.href, mimeType, text: capped(artifactText(value), `read_artifact executionId=${executionId} name=${name}`) }] };
      }),
  );
}

/** A URI template variable, decoded (names are URI-encoded in the URIs this server lists). */
function variableOf(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function capped(text: string, pagedTool: string): string {
  if (text.length <= largestResourceChars) return text;
  return `${text.slice(0, largestResourceChars)}\n\n[truncated: ${text.length - largestResourceChars} more characters; the tool ${pagedTool} offset=${largestResourceChars} reads on]`;
}

/** Reads a resource; a Keel error (unknown id, unknown artifact) becomes an MCP error with its message. */
async function readOrFail(uri: URL, read: () => Promise<ReadResourceResult>): Promise<ReadResourceResult> {
  try {
    return await read();
  } catch (error) {
    // A Keel error is the caller's mistake (an unknown id or name), anything else the server's.
    const code = KeelError.isInstance(error) ? ErrorCode.InvalidParams : ErrorCode.InternalError;
    throw new McpError(code, `Cannot read ${uri.href}: ${describeError(error)}`);
  }
}
