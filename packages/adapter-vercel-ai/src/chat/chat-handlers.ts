import { ExecutionLeasedError, ExecutionStateError, isLeaseAbandoned, type Flow, type RunHandle, type RunResult, type Runtime } from '@keel/core';
import { safeValidateUIMessages, type UIMessage, type UIMessageChunk } from 'ai';
import { durable } from '../durable-agent.js';
import type { DurableAgentOptions } from '../options.js';
import type { AgentShape } from '../sdk-shapes.js';
import { approvalResponses } from './approval-responses.js';
import { ChatNotFoundError } from './chat-not-found-error.js';
import { ChatRequestInvalidError } from './chat-request-invalid-error.js';
import { chatErrorResponse, chunkStreamResponse } from './chat-responses.js';
import { ChatTurnBusyError } from './chat-turn-busy-error.js';
import { chatTurnBody } from './chat-turn-flow.js';
import { ChatTurns, closingChunks, isChatId, isTurnRunning, type ChatTurn, type ChatTurnInput, type ChatTurnOutput } from './chat-turns.js';
import { readChunkLog } from './chunk-log.js';
import { LiveTurns, type LiveTurn } from './live-turn.js';
import { followTurn } from './turn-follower.js';

/** Options of {@link createChatHandlers}. */
export interface ChatHandlersOptions {
  /** The agent that answers (a `ToolLoopAgent`); the handlers make it durable. */
  readonly agent: AgentShape;
  /** The Keel runtime (store) the turns run in. Register nothing else under the flow name. */
  readonly runtime: Runtime;
  /** The flow each turn is an execution of, and the prefix of turn ids (`<name>-<chatId>-<n>`). Default `chat`. */
  readonly name?: string;
  /** Where the routes of {@link ChatHandlers.fetch} live. Default `/api/chat`. */
  readonly basePath?: string;
  /** Options of `durable()` for the agent (capture, retries, tool policies …). */
  readonly durable?: Omit<DurableAgentOptions, 'key' | 'runtime' | 'name'>;
  /** How often a reconnect served from another process's turn looks at the store (ms). Default 250. */
  readonly pollMs?: number;
}

/** Web-standard handlers for the AI SDK's chat protocol, over durable turns. */
export interface ChatHandlers {
  /**
   * Routes a request: `POST <base>` sends a turn, `GET <base>/<chatId>/stream` reconnects,
   * `DELETE <base>/<chatId>/stream` stops the running turn, `GET <base>/<chatId>/messages` loads the
   * conversation. Anything else: 404.
   */
  fetch(request: Request): Promise<Response>;
  /** `POST`: `{ id, messages }` as `DefaultChatTransport` sends them; answers with the turn's UI message stream. */
  send(request: Request): Promise<Response>;
  /** `GET …/stream`: every chunk of the running turn from its start; 204 when no turn is running. */
  reconnect(chatId: string, request?: Request): Promise<Response>;
  /** `DELETE …/stream`: cancels the running turn's execution; 204 when no turn is running. */
  stop(chatId: string): Promise<Response>;
  /** The stored conversation, for `useChat({ messages })` on page open (`[]` for a chat with no turns). */
  messages(chatId: string): Promise<UIMessage[]>;
  /** Resumes, in this process, the turns whose process died (or that are queued). Returns how many. */
  recover(): Promise<number>;
  /** The flow each turn is an execution of. */
  readonly flow: Flow<ChatTurnInput, ChatTurnOutput>;
}

/**
 * Creates request handlers for the AI SDK's chat protocol (`useChat` with `DefaultChatTransport`,
 * `resume: true`) in Web-standard `Request → Response` form, so they mount in Next.js route handlers,
 * hono, or Node's http. Each turn is a Keel execution of the durable agent: its model and tool calls
 * are checkpoints, its UI message chunks are recorded as they stream, tool approvals are durable
 * waits. A reload, a dropped connection, a dead server or a deploy loses nothing.
 *
 * @example
 * ```ts
 * const chat = createChatHandlers({ agent: new ToolLoopAgent({ model, tools }), runtime: createRuntime() });
 * export const POST = chat.send;                                                        // app/api/chat/route.ts
 * export const GET = (request: Request, { params }) => chat.reconnect(params.id, request); // app/api/chat/[id]/stream/route.ts
 * ```
 */
export function createChatHandlers(options: ChatHandlersOptions): ChatHandlers {
  const { runtime } = options;
  const name = options.name ?? 'chat';
  const basePath = (options.basePath ?? '/api/chat').replace(/\/$/, '');
  const pollMs = options.pollMs ?? 250;
  const agent = durable(options.agent, { ...options.durable, name: 'agent' }) as unknown as { stream(parameters: Record<string, unknown>): Promise<unknown> };
  const turns = new ChatTurns(runtime, name);
  const live = new LiveTurns();
  const flow = runtime.flow<ChatTurnInput, ChatTurnOutput>(name, chatTurnBody({ runtime, turns, live, agent }));

  /** Ends the turn's stream in this process once its session stops, with the chunks that say how. */
  function watch(executionId: string, handle: RunHandle): void {
    const end = async (result: RunResult | undefined, error?: unknown) => {
      const turn = live.get(executionId);
      if (!turn) return;
      if (error !== undefined || !result) {
        turn.end([{ type: 'error', errorText: error instanceof Error ? error.message : String(error) }]);
        live.forget(turn);
        return;
      }
      const execution = await (await runtime.store()).getExecution(executionId);
      // A session that lost its lease stopped here, but the turn goes on elsewhere: no end to show.
      const closing = execution && !isTurnRunning(execution) ? closingChunks(execution, await runtime.executions.waits(executionId)) : [];
      turn.end(closing);
      live.forget(turn);
    };
    handle.result
      .then(
        (result) => end(result),
        (error: unknown) => end(undefined, error),
      )
      .catch(() => {});
  }

  /** Runs an operation that starts a session of the turn here; resolves with its stream. */
  async function startHere(executionId: string, start: () => Promise<RunHandle>): Promise<LiveTurn> {
    const opened = live.opened(executionId);
    const handle = await start();
    watch(executionId, handle);
    // The body opens the stream first thing; a session that failed before (its history unreadable)
    // ends without one, and says why.
    return Promise.race([
      opened,
      handle.result.then(async () => live.get(executionId) ?? failedStream(executionId, await runtime.executions.get(executionId))),
    ]);
  }

  function failedStream(executionId: string, execution: { readonly error?: Error }): LiveTurn {
    const turn = live.open(executionId, 0);
    turn.end([{ type: 'error', errorText: execution.error?.message ?? 'The turn ended before it streamed.' }]);
    live.forget(turn);
    return turn;
  }

  /** Takes over a turn whose holder died; `undefined` when another process holds it. */
  async function takeOver(executionId: string): Promise<LiveTurn | undefined> {
    try {
      return await startHere(executionId, () => runtime.executions.begin('resume', executionId));
    } catch (error) {
      if (ExecutionLeasedError.isInstance(error) || ExecutionStateError.isInstance(error)) return undefined;
      throw error;
    }
  }

  async function lastTurn(chatId: string): Promise<ChatTurn | undefined> {
    return (await turns.list(chatId)).at(-1);
  }

  async function send(request: Request): Promise<Response> {
    try {
      const { chatId, messages } = await readSendRequest(request);
      const last = await lastTurn(chatId);
      if (last && last.execution.status === 'waiting') return await answerApprovals(chatId, last, messages, request.signal);
      if (last && isTurnRunning(last.execution)) throw new ChatTurnBusyError({ chatId, executionId: last.execution.id, status: last.execution.status });
      const stored = new Set((await turns.messages(chatId)).map((message) => message.id));
      const added = messages.filter((message) => !stored.has(message.id));
      if (added.at(-1)?.role !== 'user') {
        throw new ChatRequestInvalidError({ chatId, problem: 'its last message is not a new user message (regenerating an answer is not supported)' });
      }
      const turn = (last?.turn ?? 0) + 1;
      const executionId = turns.executionId(chatId, turn);
      let stream: LiveTurn;
      try {
        stream = await startHere(executionId, () => runtime.begin(name, { chatId, turn, messages: added } satisfies ChatTurnInput, { executionId }));
      } catch (error) {
        // Two POSTs raced for the same turn: the other one started it.
        const existing = await (await runtime.store()).getExecution(executionId);
        if (existing) throw new ChatTurnBusyError({ chatId, executionId, status: existing.status });
        throw error;
      }
      return chunkStreamResponse((signal) => stream.read(0, joined(signal, request.signal)));
    } catch (error) {
      return chatErrorResponse(error);
    }
  }

  /**
   * A `POST` that answers the approvals the last turn waits for: the answers become the waits' input
   * and the turn resumes here. The page already shows the answer up to the approvals, so the
   * response carries only what the resumed session adds: its chunks, minus those the stopped one
   * streamed (the same chunks, regenerated from the records).
   */
  async function answerApprovals(chatId: string, last: ChatTurn, messages: readonly UIMessage[], requestSignal: AbortSignal): Promise<Response> {
    const executionId = last.execution.id;
    const answers = approvalResponses(messages);
    if (answers.length === 0) throw new ChatTurnBusyError({ chatId, executionId, status: 'waiting' });
    for (const answer of answers) {
      await runtime.executions.input(
        executionId,
        answer.approvalId,
        { approve: answer.approved, ...(answer.reason !== undefined ? { reason: answer.reason } : {}) },
        { resolvedBy: 'chat' },
      );
    }
    const shown = (await readChunkLog(await runtime.store(), executionId)).chunks;
    const stream = await startHere(executionId, () => runtime.executions.begin('resume', executionId));
    return chunkStreamResponse((signal) => withoutShown(stream.read(0, joined(signal, requestSignal)), shown));
  }

  async function reconnect(chatId: string, request?: Request): Promise<Response> {
    try {
      if (!isChatId(chatId)) throw new ChatNotFoundError({ chatId, reason: 'not a valid chat id' });
      const last = await lastTurn(chatId);
      if (!last) throw new ChatNotFoundError({ chatId });
      if (!isTurnRunning(last.execution)) return new Response(null, { status: 204 });
      const executionId = last.execution.id;
      const here = live.get(executionId);
      const store = await runtime.store();
      const stream = (signal: AbortSignal): AsyncIterable<UIMessageChunk> =>
        here && !here.ended
          ? here.read(0, signal)
          : followTurn({ store, executionId, takeOver: () => takeOver(executionId), waits: () => runtime.executions.waits(executionId), pollMs, signal });
      return chunkStreamResponse((signal) => stream(request ? joined(signal, request.signal) : signal));
    } catch (error) {
      return chatErrorResponse(error);
    }
  }

  async function stop(chatId: string): Promise<Response> {
    try {
      if (!isChatId(chatId)) throw new ChatNotFoundError({ chatId, reason: 'not a valid chat id' });
      const last = await lastTurn(chatId);
      if (!last) throw new ChatNotFoundError({ chatId });
      if (!isTurnRunning(last.execution) && last.execution.status !== 'waiting') return new Response(null, { status: 204 });
      const { status } = await runtime.executions.cancel(last.execution.id);
      return Response.json({ executionId: last.execution.id, status });
    } catch (error) {
      return chatErrorResponse(error);
    }
  }

  async function messages(chatId: string): Promise<UIMessage[]> {
    if (!isChatId(chatId)) throw new ChatNotFoundError({ chatId, reason: 'not a valid chat id' });
    return turns.messages(chatId);
  }

  async function recover(): Promise<number> {
    const store = await runtime.store();
    let resumed = 0;
    for (const execution of await store.listExecutions({ flow: name, status: ['running', 'queued'] })) {
      if (execution.status === 'running' && execution.lease && !isLeaseAbandoned(execution.lease)) continue;
      if (await takeOver(execution.id)) resumed++;
    }
    return resumed;
  }

  async function route(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/$/, '');
    if (path === basePath) return request.method === 'POST' ? send(request) : methodNotAllowed('POST');
    const match = path.startsWith(`${basePath}/`) ? /^([^/]+)\/(stream|messages)$/.exec(path.slice(basePath.length + 1)) : null;
    if (!match) return new Response(`No chat route at ${path}.`, { status: 404 });
    const chatId = decodeURIComponent(match[1]!);
    if (match[2] === 'messages') {
      if (request.method !== 'GET') return methodNotAllowed('GET');
      try {
        return Response.json(await messages(chatId));
      } catch (error) {
        return chatErrorResponse(error);
      }
    }
    if (request.method === 'GET') return reconnect(chatId, request);
    if (request.method === 'DELETE') return stop(chatId);
    return methodNotAllowed('GET, DELETE');
  }

  return { fetch: route, send, reconnect, stop, messages, recover, flow };
}

/** Reads and checks a `POST` body; nothing is stored before it passed. */
async function readSendRequest(request: Request): Promise<{ chatId: string; messages: UIMessage[] }> {
  let body: unknown;
  try {
    body = await request.json();
  } catch (error) {
    throw new ChatRequestInvalidError({ problem: 'its body is not JSON', cause: error });
  }
  const { id, messages } = (typeof body === 'object' && body !== null ? body : {}) as { id?: unknown; messages?: unknown };
  if (!isChatId(id))
    throw new ChatRequestInvalidError({ problem: `its "id" (${JSON.stringify(id) ?? 'missing'}) is not a chat id: 1–100 letters, digits, "_" or "-"` });
  const validated = await safeValidateUIMessages({ messages });
  if (!validated.success)
    throw new ChatRequestInvalidError({ chatId: id, problem: `its "messages" are not valid UI messages (${validated.error.message})`, cause: validated.error });
  return { chatId: id, messages: validated.data };
}

/** The chunks of `stream` minus one copy of each chunk in `shown` (compared as JSON). */
async function* withoutShown(stream: AsyncIterable<UIMessageChunk>, shown: readonly UIMessageChunk[]): AsyncGenerator<UIMessageChunk> {
  const counts = new Map<string, number>();
  for (const chunk of shown) counts.set(JSON.stringify(chunk), (counts.get(JSON.stringify(chunk)) ?? 0) + 1);
  for await (const chunk of stream) {
    const key = JSON.stringify(chunk);
    const left = counts.get(key) ?? 0;
    if (left > 0) counts.set(key, left - 1);
    else yield chunk;
  }
}

function joined(signal: AbortSignal, other: AbortSignal): AbortSignal {
  return AbortSignal.any([signal, other]);
}

function methodNotAllowed(allow: string): Response {
  return new Response(`Method not allowed; use ${allow}.`, { status: 405, headers: { allow } });
}
