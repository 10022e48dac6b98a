import type { Hono } from 'hono';
import { badRequest } from '../errors/request-rejected-error.js';
import type { ApiContext } from './api-context.js';
import { toJsonView } from '@keel/core';
import { keyParam, objectBody, printable } from './request-input.js';

/**
 * Deployed flow versions: invoke a flow through a tag or a version (a queued execution pinned to that
 * version, for a worker serving it), and the versions summary the dashboard's Versions panel shows.
 */
export function versionRoutes(api: Hono, context: ApiContext): void {
  const { runtime } = context;

  api.post('/flows/:flow/invoke', async (c) => {
    const flow = keyParam(c, 'flow', 'flow name');
    const body = await objectBody(c);
    const unknown = Object.keys(body).filter((key) => !['input', 'tag', 'version', 'metadata'].includes(key));
    if (unknown.length)
      throw badRequest(`Unknown invoke option ${unknown.map((key) => `"${printable(key)}"`).join(', ')}; the options are input, tag, version and metadata.`);
    const { tag, version, metadata } = body;
    if (tag !== undefined && (typeof tag !== 'string' || tag === '')) throw badRequest('"tag" must be a tag name such as "prod".');
    if (version !== undefined && (typeof version !== 'string' || version === '')) throw badRequest('"version" must be a deployed version such as "v7".');
    if (tag !== undefined && version !== undefined) throw badRequest('Give "tag" or "version", not both.');
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)))
      throw badRequest('"metadata" must be a JSON object.');
    const invoked = await runtime.deployments.invoke(flow, body.input, {
      ...(version !== undefined ? { version: version as string } : { tag: (tag as string | undefined) ?? 'prod' }),
      ...(metadata !== undefined ? { metadata: metadata as Record<string, unknown> } : {}),
    });
    return c.json({ executionId: invoked.executionId, flow, version: invoked.version, status: 'queued' }, 202);
  });

  api.get('/versions', async (c) => {
    const flow = c.req.query('flow');
    const versions = await runtime.deployments.versions(flow ? { flow } : {});
    return c.json({ versions: toJsonView(versions) });
  });
}
