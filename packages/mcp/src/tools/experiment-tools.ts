import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { toJsonView, type ExperimentInfo } from '@keel/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { jsonText } from '../views/json-view.js';
import { isoTime } from '../views/time-format.js';
import { defineTool, executionIdArgument, pagingShape, type ToolContext, type ToolDefinition } from './define-tool.js';
import { longestWaitSeconds } from './operation-tools.js';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

const listExperimentsTool = {
  name: 'list_experiments',
  title: 'List experiments',
  description:
    'Lists experiments, newest first: each replays a cohort of recorded executions with a change (a model swapped, instructions or a tool replaced) and compares each replay with its original. ' +
    'Shows progress, outputs changed, tool calls answered from records vs live vs missed, token and cost deltas; also names the experiments the loaded code defines (run_experiment runs them).',
  inputSchema: {
    name: z.string().min(1).optional().describe('Only experiments of this name.'),
    limit: z.number().int().min(1).max(200).optional().describe('At most this many (default 20).'),
  },
  annotations: readOnly,
} satisfies ToolDefinition;

const getExperimentTool = {
  name: 'get_experiment',
  title: 'Read an experiment',
  description:
    'Reads one experiment: its change, totals and evaluator means, and per member the original and replay execution ids, whether the output changed (with a unified diff), changed artifacts (with diffs), ' +
    'the first checkpoint that differs, model calls and tokens per side, tool answers (missed calls named) and scores.',
  inputSchema: { experimentId: executionIdArgument.describe("The experiment's id (list_experiments shows them)."), ...pagingShape },
  annotations: readOnly,
  paged: true,
} satisfies ToolDefinition;

const runExperimentTool = {
  name: 'run_experiment',
  title: 'Run an experiment',
  description:
    "Starts an experiment the loaded code defines (list_experiments names them), queued for a Keel worker, which replays each member; tools are answered per the experiment's policy (from the original's records by default, so nothing reaches the outside world). " +
    'With waitSeconds it watches the experiment until it ends (or the time is up); get_experiment follows it.',
  inputSchema: {
    name: z.string().min(1).describe('The experiment name.'),
    limit: z.number().int().min(1).optional().describe('Replay at most this many executions of the cohort.'),
    since: z.string().min(1).optional().describe('Only executions created since then: an ISO date or a duration ago (7d, 12h).'),
    waitSeconds: z
      .number()
      .min(0)
      .max(longestWaitSeconds)
      .optional()
      .describe(`Watch it for up to this many seconds (default 0; at most ${longestWaitSeconds}).`),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
} satisfies ToolDefinition;

/** Tools that run experiments and read their results. */
export function registerExperimentTools(server: McpServer, context: ToolContext): void {
  const { runtime } = context;
  defineTool(server, listExperimentsTool, async ({ name, limit }) => {
    const experiments = await runtime.experiments.list({ limit: limit ?? 20, ...(name !== undefined ? { name } : {}) });
    return jsonText({
      experiments: experiments.map((experiment) => ({
        id: experiment.id,
        name: experiment.name,
        status: experiment.status,
        createdAt: isoTime(experiment.createdAt),
        progress: `${experiment.aggregate.done}/${experiment.aggregate.members} members`,
        totals: toJsonView(experiment.aggregate),
      })),
      defined: runtime.experiments.defined(),
    });
  });

  defineTool(server, getExperimentTool, async ({ experimentId }) => jsonText(experimentDocument(await runtime.experiments.get(experimentId))));

  defineTool(server, runExperimentTool, async ({ name, limit, since, waitSeconds }) => {
    const { executionId } = await runtime.experiments
      .named(name)
      .start({ cohort: { ...(limit !== undefined ? { limit } : {}), ...(since !== undefined ? { since } : {}) } });
    const deadline = Date.now() + (waitSeconds ?? 0) * 1000;
    let experiment = await runtime.experiments.get(executionId);
    // Watching means reading the store again until the worker ends it, or the time is up.
    while (!['completed', 'failed', 'cancelled'].includes(experiment.status) && Date.now() < deadline) {
      await sleep(Math.min(250, deadline - Date.now()));
      experiment = await runtime.experiments.get(executionId);
    }
    return jsonText({
      changed: `Created experiment ${executionId} ("${name}"), queued for a worker.`,
      experimentId: executionId,
      status: experiment.status,
      progress: `${experiment.aggregate.done}/${experiment.aggregate.members} members`,
      totals: toJsonView(experiment.aggregate),
      next: `get_experiment experimentId=${executionId} reads its members${experiment.status === 'queued' ? '; a Keel worker (keel worker) runs it' : ''}.`,
    });
  });
}

/** An experiment as the tool answers it: the report, members with their diffs. */
function experimentDocument(experiment: ExperimentInfo) {
  return toJsonView({
    id: experiment.id,
    name: experiment.name,
    ...(experiment.description !== undefined ? { description: experiment.description } : {}),
    status: experiment.status,
    createdAt: isoTime(experiment.createdAt),
    cohort: experiment.cohort,
    change: experiment.change,
    totals: experiment.aggregate,
    members: experiment.members,
    ...(experiment.error ? { error: experiment.error } : {}),
  });
}
