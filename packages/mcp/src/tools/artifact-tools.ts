import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { artifactUri } from '../resources/resource-uris.js';
import { artifactText } from '../views/artifact-text.js';
import { jsonText } from '../views/json-view.js';
import { isoTime } from '../views/time-format.js';
import { defineTool, type ToolDefinition, executionIdArgument, pagingShape, type ToolContext } from './define-tool.js';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

const listArtifactsTool = {
  name: 'list_artifacts',
  title: 'List artifacts',
  description:
    "Lists the artifacts of an execution: values it saved (reports, datasets, screenshots) and its output (the flow's return value), with type, size, the checkpoint that saved it, and a keel:// resource URI.",
  inputSchema: { executionId: executionIdArgument, ...pagingShape },
  annotations: readOnly,
  paged: true,
} satisfies ToolDefinition;

const readArtifactTool = {
  name: 'read_artifact',
  title: 'Read an artifact',
  description:
    'Reads an artifact of an execution by name ("output" is the flow\'s return value): text as it is, JSON pretty-printed, bytes as base64. Long values are paged with maxChars and offset.',
  inputSchema: {
    executionId: executionIdArgument,
    name: z.string().min(1).describe('The artifact name (list_artifacts lists them); "output" is the flow\'s return value.'),
    ...pagingShape,
  },
  annotations: readOnly,
  paged: true,
} satisfies ToolDefinition;

/** Tools that list and read the artifacts of an execution (what it saved, and its `output`). */
export function registerArtifactTools(server: McpServer, context: ToolContext): void {
  const { runtime } = context;
  defineTool(server, listArtifactsTool, async ({ executionId }) => {
    const artifacts = await runtime.executions.artifacts(executionId);
    return jsonText({
      executionId,
      artifacts: artifacts.map((artifact) => ({
        name: artifact.name,
        type: artifact.type,
        bytes: artifact.payload.size,
        savedIn: artifact.checkpointId ?? '(flow scope)',
        createdAt: isoTime(artifact.createdAt),
        uri: artifactUri(executionId, artifact.name),
      })),
      ...(artifacts.length ? {} : { note: 'This execution saved no artifacts (and has no output yet).' }),
    });
  });

  defineTool(server, readArtifactTool, async ({ executionId, name }) => artifactText((await runtime.executions.artifact(executionId, name)).value));
}
