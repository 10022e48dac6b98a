import { type JsonValue } from '@keel/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ExecutionRecord, ExecutionStatus, LogLevel, LogRecord } from '@keel/core';
import { executionUri } from '../resources/resource-uris.js';
import { checkpointDocument } from '../views/checkpoint-document.js';
import { executionDocument } from '../views/execution-document.js';
import { isAbandoned, loadExecutionRecords } from '../views/execution-records.js';
import { explainFailure } from '../views/failure-explanation.js';
import { jsonText, oneLine } from '../views/json-view.js';
import { durationText, isoTime } from '../views/time-format.js';
import { defineTool, type ToolDefinition, executionIdArgument, pagingShape, type ToolContext } from './define-tool.js';

const statuses = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'] as const satisfies readonly ExecutionStatus[];
const levels = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[];

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

const listExecutionsTool = {
  name: 'list_executions',
  title: 'List executions',
  description:
    'Lists Keel executions (runs of flows), newest first: id, flow, status, when, how long, and what each waits on or the error it failed with. ' +
    'Filter by flow and status (e.g. status "failed" to find broken runs); page with before=<the last id shown>.',
  inputSchema: {
    flow: z.string().min(1).optional().describe('Only executions of this flow.'),
    status: z
      .union([z.enum(statuses), z.array(z.enum(statuses)).min(1)])
      .optional()
      .describe('Only executions with this status, or any of these statuses.'),
    limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 20).'),
    before: z.string().min(1).optional().describe('Only executions created before this execution id: the id of the last one of the previous page.'),
    ...pagingShape,
  },
  annotations: readOnly,
  paged: true,
} satisfies ToolDefinition;

const getExecutionTool = {
  name: 'get_execution',
  title: 'Get an execution',
  description:
    'Shows one execution: status, timing, error, the checkpoint that failed, pending waits (with the question and the JSON Schema their input must match), model token totals, ' +
    'the checkpoint tree (one line per model call, tool call, MCP call, step and wait, children indented), artifacts, what to do next, and its input and output.',
  inputSchema: { executionId: executionIdArgument, ...pagingShape },
  annotations: readOnly,
  paged: true,
} satisfies ToolDefinition;

const getCheckpointTool = {
  name: 'get_checkpoint',
  title: 'Get a checkpoint',
  description:
    'Shows one checkpoint of an execution (a model call, tool call, MCP call, step or wait): its captured input (the prompt, the tool arguments), its stored output, ' +
    'its error with the whole stack, attempts, timing, model id and token usage, metadata and children. part=input, output or error returns only that value.',
  inputSchema: {
    executionId: executionIdArgument,
    checkpointId: z
      .string()
      .min(1)
      .describe('The checkpoint id, a path of name:n segments such as "fetch_page:1" or "publish:1/render:1" (get_execution lists them).'),
    part: z.enum(['all', 'input', 'output', 'error']).optional().describe('Only this part (default all).'),
    ...pagingShape,
  },
  annotations: readOnly,
  paged: true,
} satisfies ToolDefinition;

const explainFailureTool = {
  name: 'explain_failure',
  title: 'Explain a failure',
  description:
    'Explains why an execution failed, without a pasted traceback: the checkpoint that broke (which tool call, model call or step), its error with the stack, and its input; ' +
    'the model call that led to it (the last completed model call before it, with its output, where the tool call it asked for is); ' +
    'and what a retry would run again (failed and unfinished checkpoints) and reuse (completed ones). Start here for "why did this run fail?".',
  inputSchema: { executionId: executionIdArgument, ...pagingShape },
  annotations: readOnly,
  paged: true,
} satisfies ToolDefinition;

const getLogsTool = {
  name: 'get_logs',
  title: 'Get logs',
  description:
    'Reads the log lines an execution wrote (log.debug/info/warn/error in flow code), oldest first: line number, time, level, the checkpoint it was written in, message and fields. ' +
    'Page with offset (a line number) and limit; filter by lowest level or by checkpoint.',
  inputSchema: {
    executionId: executionIdArgument,
    offset: z.number().int().min(0).optional().describe('Start at this line number (default 0).'),
    limit: z.number().int().min(1).max(1000).optional().describe('Read at most this many lines (default 200).'),
    level: z.enum(levels).optional().describe('Only lines of this level or above.'),
    checkpointId: z.string().min(1).optional().describe('Only lines written inside this checkpoint (or its children).'),
    maxChars: pagingShape.maxChars,
  },
  annotations: readOnly,
} satisfies ToolDefinition;

/** Tools that read executions: list, show, one checkpoint, why it failed, logs. None changes anything. */
export function registerInspectionTools(server: McpServer, context: ToolContext): void {
  const { runtime } = context;
  defineTool(server, listExecutionsTool, async ({ flow, status, limit, before }) => {
    const store = await runtime.store();
    const wanted = limit ?? 20;
    const records = await store.listExecutions({
      ...(flow !== undefined ? { flow } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(before !== undefined ? { before } : {}),
      limit: wanted + 1,
    });
    const page = records.slice(0, wanted);
    const executions = await Promise.all(
      page.map(async (record) => {
        const pending = record.status === 'waiting' ? (await store.listWaits(record.id, { status: 'pending' })).map((wait) => wait.id) : [];
        return executionLine(record, pending);
      }),
    );
    const answer: { [key: string]: JsonValue } = { executions };
    if (!page.length) answer.note = `No executions match${flow !== undefined || status !== undefined ? ' these filters' : ''} in the store ${store.location}.`;
    const last = page.at(-1);
    if (records.length > wanted && last) answer.more = `More executions are older: call again with before=${last.id}.`;
    return jsonText(answer);
  });

  defineTool(server, getExecutionTool, async ({ executionId }) => {
    const records = await loadExecutionRecords(runtime, executionId);
    const artifacts = await records.store.listArtifacts(executionId);
    return jsonText(await executionDocument(records, artifacts));
  });

  defineTool(server, getCheckpointTool, async ({ executionId, checkpointId, part }) =>
    checkpointDocument(await loadExecutionRecords(runtime, executionId), checkpointId, part ?? 'all'),
  );

  defineTool(server, explainFailureTool, async ({ executionId }) => jsonText(await explainFailure(await loadExecutionRecords(runtime, executionId))));

  defineTool(server, getLogsTool, async ({ executionId, offset, limit, level, checkpointId, maxChars }) => {
    const store = await runtime.store();
    await loadExecutionRecords(runtime, executionId);
    const start = offset ?? 0;
    const wanted = limit ?? 200;
    const budget = maxChars ?? 20_000;
    const lines = await store.listLogs(executionId, { offset: start, limit: wanted + 1 });
    const lowest = levels.indexOf(level ?? 'debug');
    const shown: string[] = [];
    let used = 0;
    let next: number | undefined;
    for (const [index, line] of lines.slice(0, wanted).entries()) {
      if (levels.indexOf(line.level) < lowest) continue;
      if (checkpointId !== undefined && line.checkpointId !== checkpointId && !line.checkpointId?.startsWith(`${checkpointId}/`)) continue;
      const text = logLine(start + index, line);
      if (shown.length && used + text.length + 1 > budget) {
        next = start + index;
        break;
      }
      shown.push(text);
      used += text.length + 1;
    }
    if (next === undefined && lines.length > wanted) next = start + wanted;
    const head = shown.length ? shown.join('\n') : `(no log lines${level !== undefined || checkpointId !== undefined ? ' match' : ''} from line ${start} on)`;
    return next !== undefined ? `${head}\n\n[more lines: call again with offset=${next}]` : head;
  });
}

/** An execution in a list: enough to pick the one to look at. */
function executionLine(record: ExecutionRecord, pending: readonly string[]): { [key: string]: JsonValue } {
  return {
    id: record.id,
    flow: record.flow,
    status: isAbandoned(record) ? 'running (abandoned: its process is gone)' : record.status,
    createdAt: isoTime(record.createdAt),
    ...(record.endedAt !== undefined ? { duration: durationText(record.endedAt - record.createdAt) } : {}),
    ...(record.error && record.status !== 'cancelled' ? { error: oneLine(`${record.error.name}: ${record.error.message}`, 200) } : {}),
    ...(pending.length ? { waitingOn: [...pending] } : {}),
    ...(record.replayOf ? { replayOf: record.replayOf.executionId } : {}),
    uri: executionUri(record.id),
  };
}

function logLine(index: number, line: LogRecord): string {
  const fields = line.fields && Object.keys(line.fields).length ? ` ${oneLine(JSON.stringify(line.fields), 2_000)}` : '';
  // One line of thousands of characters would take a whole page: lines are cut (get_logs has no more of them).
  return oneLine(
    `#${index} ${isoTime(line.time)} ${line.level.toUpperCase()}${line.checkpointId ? ` [${line.checkpointId}]` : ''} ${line.message}${fields}`,
    4_000,
  );
}
