import type { Context } from 'hono';
import type { ExecutionStatus } from '@keel/core';
import { badRequest, RequestRejectedError } from '../errors/request-rejected-error.js';

// The shape core accepts for execution ids (they name folders in the lowdb store).
const executionIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const statuses: readonly ExecutionStatus[] = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

/** The `:id` path parameter, refused unless it has the shape of an execution id. */
export function executionIdParam(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!executionIdPattern.test(id)) throw badRequest(`"${printable(id)}" is not an execution id (ids look like ex_01jdq3k8m2r7f3k9q2x).`);
  return id;
}

/**
 * An artifact name from the path. Names are keys in the store, never paths, but one that looks like a
 * path escape (`..`, a leading `/`, a backslash, control characters) is refused anyway.
 */
export function artifactNameParam(c: Context): string {
  const name = c.req.param('name') ?? '';
  const segments = name.split('/');
  const invalid =
    name.length === 0 ||
    name.length > 512 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /[\u0000-\u001f\u007f]/.test(name) ||
    segments.some((segment) => segment === '..' || segment === '.');
  if (invalid)
    throw badRequest(
      `"${printable(name)}" is not an artifact name: names may not be empty, contain "..", ".", backslashes or control characters, or start with "/".`,
    );
  return name;
}

/** A `:checkpointId` or `:wait` path parameter: a non-empty id of `name:n` segments, without control characters. */
export function keyParam(c: Context, parameter: string, what: string): string {
  const value = c.req.param(parameter) ?? '';
  if (value.length === 0 || value.length > 1024 || /[\u0000-\u001f\u007f]/.test(value)) throw badRequest(`"${printable(value)}" is not a ${what}.`);
  return value;
}

/** The execution list's query: `flow`, `status` (comma-separated), `before`, `limit`. */
export function listQuery(c: Context): { flow?: string; status?: ExecutionStatus[]; before?: string; limit: number; stats: boolean } {
  const flow = c.req.query('flow') || undefined;
  const statusText = c.req.query('status') || undefined;
  const before = c.req.query('before') || undefined;
  const limitText = c.req.query('limit');
  const status = statusText
    ?.split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of status ?? []) {
    if (!statuses.includes(entry as ExecutionStatus))
      throw badRequest(`Unknown status "${printable(entry)}"; use one or more of ${statuses.join(', ')} (comma-separated).`);
  }
  if (before !== undefined && !executionIdPattern.test(before))
    throw badRequest(`"before" must be an execution id (the last id of the previous page), not "${printable(before)}".`);
  let limit = 50;
  if (limitText !== undefined && limitText !== '') {
    limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest(`"limit" must be a whole number from 1 to 500, not "${printable(limitText)}".`);
  }
  return {
    ...(flow !== undefined ? { flow } : {}),
    ...(status?.length ? { status: status as ExecutionStatus[] } : {}),
    ...(before !== undefined ? { before } : {}),
    limit,
    stats: c.req.query('stats') !== 'false',
  };
}

/** A boolean query flag such as `?wait=true`. */
export function flagQuery(c: Context, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === '' || value === 'false' || value === '0') return value === '';
  if (value === 'true' || value === '1') return true;
  throw badRequest(`"${name}" must be true or false, not "${printable(value)}".`);
}

/**
 * The request body as JSON. Bodies must be `application/json` (a browser form from another site cannot
 * send that without the API's consent, which it never gives). An empty body is `undefined`.
 */
export async function jsonBody(c: Context, options: { required: boolean }): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (options.required) throw badRequest('The request needs a JSON body.');
    return undefined;
  }
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new RequestRejectedError({
      status: 415,
      code: 'unsupported_media_type',
      message: `Send the body as JSON with "Content-Type: application/json" (got "${printable(type) || 'none'}").`,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

/** A JSON body that must be an object (or absent, giving `{}`). */
export async function objectBody(c: Context): Promise<Record<string, unknown>> {
  const body = await jsonBody(c, { required: false });
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** Keeps user text in messages short and on one line. */
export function printable(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return flat.length > 80 ? `${flat.slice(0, 77)}…` : flat;
}
