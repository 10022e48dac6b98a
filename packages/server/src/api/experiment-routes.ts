import type { Hono } from 'hono';
import { toJsonView } from '@keel/core';
import { badRequest } from '../errors/request-rejected-error.js';
import type { ApiContext } from './api-context.js';
import { executionIdParam, keyParam, objectBody, printable } from './request-input.js';

/**
 * Experiments: the ones in the store (an experiment is an execution of the flow `experiment:<name>`,
 * its members are replays), and starting one defined in the loaded code, queued for a worker.
 */
export function experimentRoutes(api: Hono, context: ApiContext): void {
  const { runtime } = context;

  api.get('/experiments', async (c) => {
    const name = c.req.query('name');
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) throw badRequest(`"limit" must be a whole number of 1 or more, not "${printable(limitText ?? '')}".`);
    const experiments = await runtime.experiments.list({ limit, ...(name ? { name } : {}) });
    return c.json({ experiments: toJsonView(experiments), defined: runtime.experiments.defined() });
  });

  api.get('/experiments/:id', async (c) => c.json(toJsonView(await runtime.experiments.get(executionIdParam(c)))));

  api.post('/experiments/:name/start', async (c) => {
    const name = keyParam(c, 'name', 'experiment name');
    const body = await objectBody(c);
    const unknown = Object.keys(body).filter((key) => !['limit', 'since'].includes(key));
    if (unknown.length)
      throw badRequest(`Unknown experiment option ${unknown.map((key) => `"${printable(key)}"`).join(', ')}; the options are limit and since.`);
    const { limit, since } = body;
    if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1)) throw badRequest('"limit" must be a whole number of 1 or more.');
    if (since !== undefined && typeof since !== 'string' && typeof since !== 'number')
      throw badRequest('"since" must be an ISO date, a duration ago such as "7d", or epoch milliseconds.');
    const started = await runtime.experiments.named(name).start({
      cohort: { ...(limit !== undefined ? { limit: limit as number } : {}), ...(since !== undefined ? { since: since as string | number } : {}) },
    });
    return c.json({ experimentId: started.executionId, name, status: 'queued' }, 202);
  });
}
