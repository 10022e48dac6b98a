import { toJsonView, type JsonValue } from '@keel/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { KeelError } from '@keel/core';
import { executionUri } from '../resources/resource-uris.js';
import { jsonText, oneLine } from '../views/json-view.js';
import { previewValue } from '../views/paged-text.js';
import { defineTool, type ToolDefinition, type ToolContext } from './define-tool.js';
import { longestWaitSeconds } from './operation-tools.js';

const listFlowsTool = {
  name: 'list_flows',
  title: 'List flows',
  description:
    'Lists the flows this Keel server knows (registered on its runtime): the ones run_flow can start and whose executions it can resume, retry and replay.',
  inputSchema: {},
  annotations: { readOnlyHint: true, openWorldHint: false },
} satisfies ToolDefinition;

const runFlowTool = {
  name: 'run_flow',
  title: 'Run a flow',
  description:
    'Starts a new execution of a flow with the given input. The execution is queued for a Keel worker (keel worker) and the answer gives its id at once; ' +
    'with waitSeconds, it watches the execution until a worker has run it to an end or a wait (or the time is up). ' +
    'With tag or version, the execution is pinned to that deployed version (list_versions shows them) and only a worker of that version runs it; ' +
    "without, it records this server's code version.",
  inputSchema: {
    flow: z.string().min(1).describe('The flow name (list_flows lists them).'),
    input: z.unknown().optional().describe("The flow's input: any JSON value (default null)."),
    tag: z.string().min(1).optional().describe('Run the deployed version this tag points to, e.g. "prod".'),
    version: z.string().min(1).optional().describe('Run exactly this deployed version, e.g. "v7".'),
    waitSeconds: z
      .number()
      .min(0)
      .max(longestWaitSeconds)
      .optional()
      .describe(`Watch the execution for up to this many seconds (default 0: answer at once; at most ${longestWaitSeconds}).`),
    budget: z
      .object({ tokens: z.number().min(0).optional(), usd: z.number().min(0).optional() })
      .strict()
      .optional()
      .describe("Spend budget (instead of the flow's): at it, the next model call waits on `budget` for give_input { approve, add? }."),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
} satisfies ToolDefinition;

const listVersionsTool = {
  name: 'list_versions',
  title: 'List flow versions',
  description:
    "Lists each flow's code versions: when deployed, the tags that point to it (e.g. prod), its executions by status (queued, running, waiting, completed, failed, cancelled), " +
    "whether it can be retired (nothing unfinished, no tag), and whether this server's code serves it. Executions of a version no worker serves stay queued or waiting.",
  inputSchema: { flow: z.string().min(1).optional().describe('Only this flow.') },
  annotations: { readOnlyHint: true, openWorldHint: false },
} satisfies ToolDefinition;

/** Tools about flows: which ones this server knows, their versions, and starting a new execution of one. */
export function registerFlowTools(server: McpServer, context: ToolContext): void {
  const { runtime, operations } = context;

  defineTool(server, listFlowsTool, async () => {
    const flows = runtime.flows().sort();
    return jsonText({
      flows,
      ...(flows.length
        ? {}
        : {
            note: 'No flow is registered in this server: it can inspect executions but not run them. Start it where the flows are defined (keel mcp next to keel.config.ts).',
          }),
    });
  });

  defineTool(server, listVersionsTool, async ({ flow }) => {
    const versions = await runtime.deployments.versions(flow !== undefined ? { flow } : {});
    return jsonText({
      versions: toJsonView(versions),
      ...(versions.length ? {} : { note: 'No versions yet: deploy with keel deploy --tag prod, or run a flow.' }),
    });
  });

  defineTool(server, runFlowTool, async ({ flow, input, tag, version, waitSeconds, budget }) => {
    if (tag !== undefined && version !== undefined) throw new KeelError('Give tag or version, not both: a tag names a version.');
    const route = version !== undefined ? { version } : tag !== undefined ? { tag } : undefined;
    const record = await operations.start(flow, input ?? null, Math.round((waitSeconds ?? 0) * 1000), route, budget);
    const pinned = route && record.codeVersion !== undefined ? ` version ${record.codeVersion}${tag !== undefined ? ` (tag ${tag})` : ''}` : '';
    const answer: { [key: string]: JsonValue } = {
      changed: `Created execution ${record.id} of flow "${flow}"${pinned}, queued for a worker${route ? ' of that version' : ''}.`,
      executionId: record.id,
      status: record.status,
      ...(record.codeVersion !== undefined ? { version: record.codeVersion } : {}),
      uri: executionUri(record.id),
    };
    if (record.status === 'queued') {
      answer.next = `A Keel worker (keel worker) runs it, or resume_execution executionId=${record.id} runs it in this server; get_execution executionId=${record.id} follows it.`;
    }
    if (record.status === 'running') answer.next = `A worker is running it; get_execution executionId=${record.id} follows it.`;
    if (record.status === 'completed' && record.output)
      answer.output = previewValue(toJsonView((await runtime.executions.get(record.id)).output), 8_000, `read_artifact executionId=${record.id} name=output`);
    if (record.error) answer.error = oneLine(`${record.error.name}: ${record.error.message}`, 1_000);
    if (record.status === 'failed') answer.next = `explain_failure executionId=${record.id} says which call broke.`;
    if (record.status === 'waiting') answer.next = `get_execution executionId=${record.id} shows what it waits for; give_input answers it.`;
    return jsonText(answer);
  });
}
