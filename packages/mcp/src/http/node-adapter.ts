import type { IncomingMessage, ServerResponse } from 'node:http';

/** A standard fetch handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Answers a Node request with a fetch handler: the request becomes a `Request` (its body read up to
 * `maxBodyBytes`, else 413), the `Response` is written back, streamed. A client that hangs up aborts
 * the request's signal.
 */
export async function answerNodeRequest(handler: FetchHandler, request: IncomingMessage, response: ServerResponse, maxBodyBytes: number): Promise<void> {
  const aborted = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) aborted.abort();
  });
  const method = request.method ?? 'GET';
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    body = await readBody(request, maxBodyBytes);
    if (body === undefined) {
      response.writeHead(413, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `Request body larger than ${maxBodyBytes} bytes.` }, id: null }));
      return;
    }
  }
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  const answer = await handler(new Request(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: aborted.signal }));
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  if (!answer.body) {
    response.end();
    return;
  }
  try {
    for await (const chunk of answer.body) {
      if (aborted.signal.aborted) break;
      response.write(chunk);
    }
  } finally {
    response.end();
  }
}

/** The whole body, or `undefined` when it is larger than `limit` bytes. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
