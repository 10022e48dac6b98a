import type { Hono } from 'hono';
import { BlobMissingError, CheckpointNotFoundError, PayloadReader, type CheckpointInfo, type CheckpointRecord } from '@keel/core';
import type { ApiContext } from './api-context.js';
import { artifactContentResponse, storedContentHeaders } from './artifact-content.js';
import { checkpointTree, checkpointView } from './checkpoint-view.js';
import { executionInsight } from './execution-insight.js';
import { executionStats, modelCosts } from './execution-stats.js';
import { executionDetail, executionSummary, waitView } from './execution-view.js';
import { toJsonView } from '@keel/core';
import { streamLogs } from './log-stream.js';
import { artifactNameParam, executionIdParam, keyParam, listQuery } from './request-input.js';
import { badRequest } from '../errors/request-rejected-error.js';

/** Reading executions: the list, one execution, its checkpoints, waits, artifacts and logs. */
export function executionRoutes(api: Hono, context: ApiContext): void {
  const { runtime } = context;

  api.get('/executions', async (c) => {
    const query = listQuery(c);
    const store = await runtime.store();
    const records = await store.listExecutions({
      ...(query.flow !== undefined ? { flow: query.flow } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.before !== undefined ? { before: query.before } : {}),
      limit: query.limit,
    });
    const now = Date.now();
    const executions = await Promise.all(
      records.map(async (record) => executionSummary(record, query.stats ? await statsOf(await store.listCheckpoints(record.id)) : undefined, now)),
    );
    const nextCursor = records.length === query.limit ? records[records.length - 1]!.id : null;
    return c.json({ executions, nextCursor });
  });

  api.get('/executions/:id', async (c) => {
    const id = executionIdParam(c);
    const info = await runtime.executions.get(id);
    const insight = await executionInsight(runtime, id);
    return c.json(
      executionDetail(info, {
        stats: insight.stats,
        cost: insight.cost,
        ...(insight.failedCheckpoint ? { failedCheckpoint: insight.failedCheckpoint } : {}),
        ...(insight.reuse ? { reuse: insight.reuse } : {}),
      }),
    );
  });

  api.get('/executions/:id/checkpoints', async (c) => {
    const id = executionIdParam(c);
    const payloads = c.req.query('payloads') !== 'false';
    const insight = await executionInsight(runtime, id);
    const records: readonly (CheckpointInfo | CheckpointRecord)[] = payloads ? await runtime.executions.checkpoints(id) : insight.records;
    const views = records.map((record) => checkpointView(record, insight.facts, payloads));
    return c.json({ executionId: id, count: views.length, checkpoints: checkpointTree(views) });
  });

  api.get('/executions/:id/checkpoints/:checkpointId', async (c) => {
    const id = executionIdParam(c);
    const checkpointId = keyParam(c, 'checkpointId', 'checkpoint id');
    const insight = await executionInsight(runtime, id);
    const record = insight.records.find((candidate) => candidate.id === checkpointId);
    if (!record) throw new CheckpointNotFoundError({ executionId: id, checkpointId, known: insight.records.map((candidate) => candidate.id) });
    const reader = new PayloadReader(await runtime.store());
    // A model request is a chain of the execution's earlier requests: read them together, not link by link.
    if (record.kind === 'model') await reader.prefetchRequests(insight.records);
    const load = async (ref: CheckpointRecord['input']) => {
      if (!ref) return undefined;
      try {
        return await reader.load(ref);
      } catch (error) {
        if (BlobMissingError.isInstance(error)) return undefined;
        throw error;
      }
    };
    const { input: _input, output: _output, ...rest } = record;
    const [input, output] = await Promise.all([load(record.input), load(record.output)]);
    const decoded: CheckpointInfo = { ...rest, ...(record.input ? { input } : {}), ...(record.output ? { output } : {}) };
    return c.json(checkpointView(decoded, insight.facts, true));
  });

  api.get('/executions/:id/waits', async (c) => {
    const id = executionIdParam(c);
    const status = c.req.query('status');
    if (status !== undefined && status !== 'pending' && status !== 'resolved' && status !== 'timed-out') {
      throw badRequest(`"status" must be pending, resolved or timed-out, not "${status}".`);
    }
    const waits = await runtime.executions.waits(id);
    return c.json({ executionId: id, waits: waits.filter((wait) => status === undefined || wait.status === status).map(waitView) });
  });

  api.get('/executions/:id/artifacts', async (c) => {
    const id = executionIdParam(c);
    const artifacts = await runtime.executions.artifacts(id);
    return c.json({
      executionId: id,
      artifacts: artifacts.map((artifact) => ({
        name: artifact.name,
        type: artifact.type,
        size: artifact.payload.size,
        checkpointId: artifact.checkpointId,
        createdAt: artifact.createdAt,
      })),
    });
  });

  api.get('/executions/:id/artifacts/:name', async (c) => {
    const id = executionIdParam(c);
    const name = artifactNameParam(c);
    const { record, value } = await runtime.executions.artifact(id, name);
    return c.json({
      name: record.name,
      type: record.type,
      size: record.payload.size,
      checkpointId: record.checkpointId,
      createdAt: record.createdAt,
      value: toJsonView(value),
    });
  });

  api.get('/executions/:id/artifacts/:name/content', async (c) => {
    const id = executionIdParam(c);
    const name = artifactNameParam(c);
    const { record, value } = await runtime.executions.artifact(id, name);
    return artifactContentResponse(record, value);
  });

  api.get('/executions/:id/logs', async (c) => {
    const id = executionIdParam(c);
    const offset = nonNegative(c.req.query('offset'), 'offset') ?? 0;
    const limit = nonNegative(c.req.query('limit'), 'limit') ?? 1000;
    const logs = await runtime.executions.logs(id, { offset, limit });
    return c.json({ executionId: id, offset, nextOffset: offset + logs.length, logs: logs.map((line) => toJsonView(line)) });
  });

  api.get('/executions/:id/logs/stream', async (c) => {
    const id = executionIdParam(c);
    await runtime.executions.get(id);
    const resumeFrom = c.req.header('last-event-id');
    const offset = nonNegative(resumeFrom ?? c.req.query('offset'), resumeFrom !== undefined ? 'Last-Event-ID' : 'offset') ?? 0;
    const response = streamLogs(c, { runtime, executionId: id, offset, pollIntervalMs: context.pollIntervalMs, shutdown: context.shutdown });
    response.headers.set('X-Content-Type-Options', storedContentHeaders['X-Content-Type-Options']!);
    return response;
  });
}

function nonNegative(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw badRequest(`"${name}" must be a whole number of at least 0, not "${text}".`);
  return value;
}

async function statsOf(records: readonly CheckpointRecord[]) {
  return executionStats(records, await modelCosts(records));
}
