import type { ServerResponse } from 'node:http';

import type { FakeRequestOutcome } from './fake-request.js';
import type { IdSource } from './id-source.js';
import type { Reply } from './reply.js';
import type { FakeTurn } from './turn.js';
import type { WireFormat } from './wire-format.js';

/** What a turn's response looked like on the wire, for the request record. */
export interface WrittenTurn {
  outcome: Exclude<FakeRequestOutcome, 'pending' | 'rejected'>;
  /** `null` when no headers were sent (a hang before headers). */
  status: number | null;
}

/** Everything needed to answer one request with one turn. */
export interface TurnResponseContext {
  wire: WireFormat;
  turn: FakeTurn;
  /** The resolved reply; `undefined` exactly when the turn sends none (error status, hang before headers). */
  reply: Reply | undefined;
  /** The parsed request body (renderers echo settings from it). */
  body: Record<string, any>;
  stream: boolean;
  requestId: string;
  ids: IdSource;
}

/**
 * Writes a turn's response, enacting its fault: an error status with the provider's body, a hang
 * (nothing, or headers and the first events, then silence), a drop (part of the response, then the
 * socket is destroyed), or the complete reply as JSON or SSE.
 */
export function writeTurnResponse(response: ServerResponse, context: TurnResponseContext): WrittenTurn {
  const { wire, turn, reply, body, requestId, ids } = context;
  const fault = turn.fault;
  const idHeader = { [wire.requestIdHeader]: requestId };

  if (fault !== undefined && 'status' in fault) {
    const headers: Record<string, string> = { ...idHeader };
    if (fault.retryAfterMs !== undefined) {
      headers['retry-after-ms'] = String(fault.retryAfterMs);
      headers['retry-after'] = String(fault.retryAfterMs / 1000);
    }
    const errorBody = wire.errorBody(fault.status, fault.message, fault.errorType, requestId);
    writeJson(response, fault.status, JSON.stringify(errorBody), { ...headers, ...fault.headers });
    return { outcome: 'failed', status: fault.status };
  }

  // A hang before headers: nothing is written; the client waits until its timeout or abort.
  if (reply === undefined) return { outcome: 'hung', status: null };

  if (!context.stream) {
    const json = JSON.stringify(wire.renderJson(reply, body, ids));
    if (fault !== undefined && 'drop' in fault) {
      const bytes = Buffer.from(json);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length, ...idHeader });
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.destroy());
      return { outcome: 'dropped', status: 200 };
    }
    writeJson(response, 200, json, idHeader);
    return { outcome: 'replied', status: 200 };
  }

  const frames = wire.renderStream(reply, body, ids);
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...idHeader });
  // Headers go out now even if no event follows (`afterEvents: 0`), so the client holds a stream.
  response.flushHeaders();
  if (fault !== undefined && 'hang' in fault) {
    response.write(frames.slice(0, fault.afterEvents).join(''));
    return { outcome: 'hung', status: 200 };
  }
  if (fault !== undefined && 'drop' in fault) {
    // Always strictly inside the stream: at least one event is missing, so the client cannot finish.
    const cut = Math.min(fault.afterEvents ?? Math.max(1, Math.floor(frames.length / 2)), frames.length - 1);
    response.write(frames.slice(0, cut).join(''), () => response.destroy());
    return { outcome: 'dropped', status: 200 };
  }
  response.end(frames.join(''));
  return { outcome: 'replied', status: 200 };
}

/** Whether a turn sends any part of a reply, i.e. whether it needs one resolved. */
export function sendsReply(turn: FakeTurn, stream: boolean): boolean {
  const fault = turn.fault;
  if (fault === undefined || 'drop' in fault) return true;
  if ('status' in fault) return false;
  return stream && fault.afterEvents !== undefined;
}

/** A complete JSON response with a content length. */
export function writeJson(response: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
