import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { anthropicMessagesWire } from './anthropic-messages-wire.js';
import { describeRequest } from './describe-request.js';
import type { FakeRequest } from './fake-request.js';
import { createIdSource } from './id-source.js';
import { normalizeTurn } from './normalize-turn.js';
import { openAIChatWire } from './openai-chat-wire.js';
import { openAIResponsesWire } from './openai-responses-wire.js';
import { parseJsonObject } from './parse-json-object.js';
import type { Reply } from './reply.js';
import { resolveReply } from './resolve-reply.js';
import { ScriptProblem } from './script-problem.js';
import type { FakeScriptEntry, FakeTurn } from './turn.js';
import type { WireFormat } from './wire-format.js';
import { sendsReply, writeJson, writeTurnResponse } from './write-turn-response.js';

/** Options of {@link startFakeLLM}. */
export interface FakeLLMOptions {
  /**
   * The turns, answered in order: request k gets entry k, counting requests to the three APIs with a
   * JSON object body (an unknown path or an unparsable body is rejected without using an entry).
   */
  script: readonly FakeScriptEntry[];
  /** Port on 127.0.0.1. Default 0: a free port chosen by the system. */
  port?: number;
}

/** A running fake LLM server. */
export interface FakeLLM {
  /**
   * `http://127.0.0.1:PORT/v1`: the `baseURL` for `openai`, `@ai-sdk/openai`'s `createOpenAI`,
   * `@openai/agents` (through an `OpenAI` client) and `@ai-sdk/anthropic`'s `createAnthropic`.
   */
  url: string;
  /** `http://127.0.0.1:PORT`: the `baseURL` for `@anthropic-ai/sdk`, which appends `/v1/messages` itself. */
  origin: string;
  /** The port the server listens on. */
  port: number;
  /** Every request received so far, in arrival order (the array grows as requests arrive). */
  requests: readonly FakeRequest[];
  /** Number of script entries not used yet; 0 when every turn has answered a request. */
  readonly remaining: number;
  /**
   * Resolves once `count` requests have arrived (at once if they already have), so a test can act
   * when an agent in another process reached its k-th call, without polling. Rejects if the server
   * stops first.
   */
  waitForRequests(count: number): Promise<void>;
  /**
   * Stops listening and destroys every open connection, hung requests included. Safe to call twice.
   * Clients still waiting see a connection error.
   */
  stop(): Promise<void>;
}

const wires: readonly WireFormat[] = [openAIChatWire, openAIResponsesWire, anthropicMessagesWire];

/**
 * Starts a loopback HTTP server that speaks OpenAI Chat Completions, OpenAI Responses and Anthropic
 * Messages (JSON and SSE streams) well enough that the official clients accept it unchanged, answering
 * each request with the next turn of `script`, injecting the turn's fault if it has one, and recording
 * every request.
 *
 * @example
 * const fake = await startFakeLLM({ script: ['Hello!', { fault: { status: 500 } }] });
 * const client = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 });
 * // … drive the client …
 * expect(fake.requests).toHaveLength(2);
 * await fake.stop();
 */
export async function startFakeLLM(options: FakeLLMOptions): Promise<FakeLLM> {
  // Static turns are checked now, so a typo in a script fails where the script is written.
  const script = options.script.map((entry, index) => (typeof entry === 'function' ? entry : normalizeTurn(entry, index)));
  const requests: FakeRequest[] = [];
  const ids = createIdSource();
  const timers = new Set<NodeJS.Timeout>();
  let used = 0;
  let stopping = false;
  const requestWaiters = new Set<{ count: number; resolve: () => void; reject: (error: Error) => void }>();

  const sleep = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, milliseconds);
      timers.add(timer);
    });

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const time = Date.now();
    const rawBody = await readBody(incoming);
    const method = incoming.method ?? 'GET';
    const path = new URL(incoming.url ?? '/', 'http://fake.invalid').pathname;
    const wire = method === 'POST' ? wires.find((candidate) => candidate.path === path) : undefined;
    const record: FakeRequest = {
      index: requests.length,
      time,
      method,
      path,
      api: wire?.api ?? null,
      headers: flattenHeaders(incoming),
      body: {},
      rawBody,
      stream: false,
      turn: null,
      status: null,
      outcome: 'pending',
      aborted: false,
    };
    requests.push(record);
    for (const waiter of requestWaiters) {
      if (requests.length >= waiter.count) {
        requestWaiters.delete(waiter);
        waiter.resolve();
      }
    }
    response.on('close', () => {
      // A drop is the server closing on purpose, and stop() closes everything: neither is the client.
      if (!response.writableFinished && record.outcome !== 'dropped' && !stopping) record.aborted = true;
    });
    const requestId = `req_${record.index + 1}`;
    // Unknown paths carry no API; answer in the format of the client that most likely sent them.
    const errorWire = wire ?? (incoming.headers['anthropic-version'] !== undefined ? anthropicMessagesWire : openAIChatWire);

    const reject = (status: number, message: string) => {
      record.scriptError = message;
      record.outcome = 'rejected';
      record.status = status;
      writeJson(response, status, JSON.stringify(errorWire.errorBody(status, message, undefined, requestId)), {
        [errorWire.requestIdHeader]: requestId,
        'x-should-retry': 'false',
      });
    };

    if (wire === undefined) {
      reject(404, unknownEndpointMessage(method, path));
      return;
    }
    const body = parseJsonObject(rawBody);
    if (body === undefined) {
      reject(400, `fake LLM could not parse the body of ${method} ${path} as a JSON object`);
      return;
    }
    record.body = body;
    record.stream = body['stream'] === true;

    const entryIndex = used;
    const entry = script[entryIndex];
    if (entry === undefined) {
      reject(400, `fake LLM script exhausted after ${used} requests (all ${script.length} turns used); last request: ${describeRequest(record)}`);
      return;
    }
    // Taken before any await, so concurrent requests get turns in arrival order.
    used += 1;
    record.turn = entryIndex;

    let turn: FakeTurn;
    // Only turns that send (part of) a reply need one; an error status or an early hang sends none,
    // and resolving would spend tool call ids the client never sees.
    let reply: Reply | undefined;
    try {
      turn = typeof entry === 'function' ? normalizeTurn(await callTurnFunction(entry, record, entryIndex), entryIndex) : entry;
      if (turn.api !== undefined && turn.api !== wire.api) {
        throw new ScriptProblem(
          `fake LLM request ${record.index} does not match script turn ${entryIndex}: the turn expects ${turn.api}; got ${describeRequest(record)}`,
        );
      }
      if (sendsReply(turn, record.stream)) reply = resolveReply(turn, record, wire, ids, entryIndex);
    } catch (error) {
      reject(400, error instanceof Error ? error.message : String(error));
      return;
    }

    if (turn.delayMs !== undefined && turn.delayMs > 0) await sleep(turn.delayMs);
    // The client may have given up during the delay, or the server may be stopping.
    if (response.destroyed || stopping) return;

    const written = writeTurnResponse(response, { wire, turn, reply, body, stream: record.stream, requestId, ids });
    record.outcome = written.outcome;
    record.status = written.status;
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      // A bug here must not leave the client hanging: answer 500 if nothing was sent yet.
      if (!response.headersSent && !response.destroyed) {
        const body = openAIChatWire.errorBody(500, `fake LLM internal error: ${String(error)}`, undefined, '');
        writeJson(response, 500, JSON.stringify(body), { 'x-should-retry': 'false' });
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;

  return {
    url: `${origin}/v1`,
    origin,
    port,
    requests,
    get remaining() {
      return script.length - used;
    },
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      if (stopping) return Promise.reject(new Error(`fake LLM stopped after ${requests.length} of the ${count} requests awaited`));
      return new Promise<void>((resolve, reject) => requestWaiters.add({ count, resolve, reject }));
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        stopping = true;
        for (const waiter of requestWaiters) waiter.reject(new Error(`fake LLM stopped after ${requests.length} of the ${waiter.count} requests awaited`));
        requestWaiters.clear();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        // Hung requests and keep-alive sockets would otherwise keep close() waiting forever.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

async function callTurnFunction(entry: (request: FakeRequest) => unknown, record: FakeRequest, index: number): Promise<unknown> {
  try {
    return await entry(record);
  } catch (error) {
    throw new ScriptProblem(`fake LLM script turn ${index} (a function) threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function unknownEndpointMessage(method: string, path: string): string {
  let hint = '';
  if (path === '/v1/v1/messages') hint = ' (@anthropic-ai/sdk adds /v1 itself: pass `fake.origin` as its baseURL, not `fake.url`)';
  else if (path === '/chat/completions' || path === '/responses' || path === '/messages') {
    hint = ' (the base URL is missing /v1: pass `fake.url` as the baseURL)';
  }
  return `fake LLM has no endpoint ${method} ${path}${hint}; it serves POST /v1/chat/completions, POST /v1/responses and POST /v1/messages`;
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', reject);
  });
}

function flattenHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
