import type { Hono } from 'hono';
import type { Budget, ReplayOptions } from '@keel/core';
import { badRequest, RequestRejectedError } from '../errors/request-rejected-error.js';
import { errorResponseOf } from '../http/error-response.js';
import type { ApiContext } from './api-context.js';
import { toJsonView } from '@keel/core';
import { executionIdParam, flagQuery, jsonBody, keyParam, objectBody, printable } from './request-input.js';

/** Operating executions: give input to a wait, resume, retry, cancel, replay; list flows and start runs. */
export function operationRoutes(api: Hono, context: ApiContext): void {
  const { runtime, operations } = context;

  api.post('/executions/:id/waits/:wait/input', async (c) => {
    const id = executionIdParam(c);
    const waitKey = keyParam(c, 'wait', 'wait name or id');
    const value = await jsonBody(c, { required: true });
    const resolvedBy = c.req.query('resolvedBy') || 'http';
    if (resolvedBy.length > 200) throw badRequest('"resolvedBy" is limited to 200 characters.');
    const resume = flagQuery(c, 'resume');
    let result;
    try {
      result = await runtime.executions.input(id, waitKey, value, { resolvedBy });
    } catch (error) {
      throw await answeredWaitError(context, id, waitKey, error);
    }
    const body: Record<string, unknown> = { executionId: id, waitId: result.waitId, pending: toJsonView(result.pending) };
    if (!resume || result.pending.length > 0) return c.json(body);
    try {
      const answer = await operations.continue('resume', id, { wait: false });
      return c.json({ ...body, resume: answer.body }, answer.status);
    } catch (error) {
      // The input is stored either way; a worker resumes the execution if this server could not.
      return c.json({ ...body, resume: { started: false, error: errorResponseOf(error).body.error } });
    }
  });

  for (const operation of ['resume', 'retry'] as const) {
    api.post(`/executions/:id/${operation}`, async (c) => {
      const id = executionIdParam(c);
      await objectBody(c);
      const answer = await operations.continue(operation, id, { wait: flagQuery(c, 'wait') });
      return c.json(answer.body, answer.status);
    });
  }

  api.post('/executions/:id/cancel', async (c) => {
    const id = executionIdParam(c);
    await objectBody(c);
    const result = await runtime.executions.cancel(id);
    return c.json({ executionId: id, status: result.status });
  });

  api.post('/executions/:id/replay', async (c) => {
    const id = executionIdParam(c);
    const body = await objectBody(c);
    const options = replayOptionsOf(body);
    const answer = await operations.replay(id, { ...options, wait: flagQuery(c, 'wait') });
    return c.json(answer.body, answer.status);
  });

  api.get('/flows', (c) =>
    c.json({
      flows: runtime
        .flows()
        .sort()
        .map((name) => ({ name })),
    }),
  );

  api.post('/flows/:flow/executions', async (c) => {
    const flow = keyParam(c, 'flow', 'flow name');
    const body = await objectBody(c);
    const metadata = body.metadata;
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)))
      throw badRequest('"metadata" must be a JSON object.');
    const executionId = body.executionId;
    if (executionId !== undefined && typeof executionId !== 'string') throw badRequest('"executionId" must be a string.');
    const started = await operations.needingCode('run', undefined, () =>
      runtime.start(flow, body.input, {
        ...(metadata !== undefined ? { metadata: metadata as Record<string, unknown> } : {}),
        ...(executionId !== undefined ? { executionId } : {}),
        // Checked by core: a malformed budget is a BudgetInvalidError (400) and creates nothing.
        ...(body.budget !== undefined ? { budget: body.budget as Budget } : {}),
      }),
    );
    return c.json({ executionId: started.executionId, flow, status: 'queued' }, 202);
  });
}

function replayOptionsOf(body: Record<string, unknown>): ReplayOptions {
  const unknown = Object.keys(body).filter((key) => key !== 'from' && key !== 'overrides' && key !== 'hermetic');
  if (unknown.length)
    throw badRequest(`Unknown replay option ${unknown.map((key) => `"${printable(key)}"`).join(', ')}; the options are from, overrides and hermetic.`);
  const { from, overrides, hermetic } = body;
  if (from !== undefined && from !== null && (typeof from !== 'string' || from === ''))
    throw badRequest('"from" must be a checkpoint id such as "search_web:2".');
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
    throw badRequest('"overrides" must be an object from checkpoint id to the output to use instead.');
  }
  if (hermetic !== undefined && typeof hermetic !== 'boolean') throw badRequest('"hermetic" must be true or false.');
  return {
    ...(typeof from === 'string' ? { from } : {}),
    ...(overrides !== undefined ? { overrides: overrides as Record<string, unknown> } : {}),
    ...(hermetic !== undefined ? { hermetic } : {}),
  };
}

/**
 * A wait that exists but was already answered (or timed out) is a conflict, not a missing thing: a
 * webhook delivered twice learns that its first delivery counted.
 */
async function answeredWaitError(context: ApiContext, executionId: string, waitKey: string, error: unknown): Promise<unknown> {
  if (!(error instanceof Error) || error.name !== 'WaitNotFoundError') return error;
  const waits = await context.runtime.executions.waits(executionId).catch(() => []);
  const match = waits.find((wait) => (wait.id === waitKey || wait.name === waitKey) && wait.status !== 'pending');
  if (!match || waits.some((wait) => (wait.id === waitKey || wait.name === waitKey) && wait.status === 'pending')) return error;
  return new RequestRejectedError({ status: 409, code: 'wait_not_pending', message: error.message });
}
