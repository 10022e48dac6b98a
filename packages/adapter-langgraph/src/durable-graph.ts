import { defaultRuntime, type ExecutionRecord, type RunResult, type Runtime, type WaitInfo } from '@keel/core';
import { PartChannel, contentHash, encodeValue, executionsWithKey, isFlowActive, rekeyExecution, runInFlow, unfinishedStatuses } from '@keel/core/adapter';
import type { RunnableConfig } from '@langchain/core/runnables';
import { IterableReadableStream } from '@langchain/core/utils/stream';
import { isCommand, type Command } from '@langchain/langgraph';
import { runGraph, storeInput, type DrivableGraph, type GraphRequest, type LiveCall, type RunSettings } from './graph-run.js';
import { InterruptResumeAmbiguousError } from './interrupt-resume-ambiguous-error.js';
import { interruptsOfWaits } from './interrupt-waits.js';
import { KeelCheckpointSaver } from './keel-checkpoint-saver.js';
import type { DurableGraphOptions } from './options.js';
import { ThreadIdMissingError } from './thread-id-missing-error.js';

const durableMarker = Symbol.for('keel.langgraph.durableGraph');

/** What `durableGraph` adds to a graph, under `graph.keel`. */
export interface DurableGraphHandle {
  /** The flow its runs are executions of: `langgraph:<graph name>`. */
  readonly flowName: string;
  readonly runtime: Runtime;
  /** The executions of a thread's turns (one per `invoke`/`stream` call that started one), newest first. */
  executions(threadId: string): Promise<ExecutionRecord[]>;
}

/** A graph made durable by {@link durableGraph}: the same graph, plus {@link DurableGraphHandle}. */
export type DurableGraph<Graph> = Graph & { readonly keel: DurableGraphHandle };

type GraphLike = DrivableGraph & { name?: string };

/**
 * Runs a compiled LangGraph graph's `invoke` and `stream` inside Keel flows, one execution per turn
 * (flow `langgraph:<graph name>`, keyed by `thread_id`):
 *
 * - A graph compiled without a checkpointer gets a {@link KeelCheckpointSaver} on the same runtime.
 * - A run killed mid-way continues where it stopped when the same call is made again (in any
 *   process), and a worker or `keel executions resume` can finish it too: LangGraph skips finished
 *   nodes, and the model and tool calls of a node that runs again come from Keel's records
 *   (with `durableChatModel` and `durableTools`).
 * - `interrupt()` becomes a Keel wait per interrupt: the execution is `waiting`, and `invoke` returns
 *   what LangGraph returns there — the state with `__interrupt__: [{ id, value }]`. The answer comes
 *   from `invoke(new Command({ resume }), config)` or from any Keel surface
 *   (`runtime.executions.input(id, waitName, value)` then `resume`, the CLI, a worker).
 * - New input on a thread whose last turn waits or failed replaces that turn, as in LangGraph (the
 *   waiting execution is cancelled; the failed one is kept as it is, no longer retried).
 *
 * Only `invoke` and `stream` are made durable; every other member (`batch`, `streamEvents` …) is the
 * graph's own.
 *
 * @example
 * ```ts
 * const graph = durableGraph(builder.compile());
 * const result = await graph.invoke({ messages }, { configurable: { thread_id: 'scout-1' } });
 * ```
 */
export function durableGraph<Graph extends object>(graph: Graph, options: DurableGraphOptions = {}): DurableGraph<Graph> {
  if ((graph as Record<symbol, unknown>)[durableMarker] === true) return graph as DurableGraph<Graph>;
  const target = graph as unknown as GraphLike;
  const existing = target.checkpointer;
  const runtime = options.runtime ?? (existing instanceof KeelCheckpointSaver ? existing.runtime : undefined) ?? defaultRuntime();
  if (!existing) target.checkpointer = new KeelCheckpointSaver({ runtime });
  const graphName = options.name ?? (typeof target.name === 'string' && target.name ? target.name : 'LangGraph');
  const flowName = `langgraph:${graphName}`;
  const settings: RunSettings = {
    runtime,
    graphName,
    granularity: options.granularity ?? 'calls',
    ...(options.interruptTimeout !== undefined ? { interruptTimeout: options.interruptTimeout } : {}),
  };
  // Registered so that a worker, `keel executions resume` or recovery can finish a run in a process
  // that only loaded the graph's module: the execution's input is the whole request.
  const body = (request: GraphRequest) => runGraph(target, request, undefined, settings);
  runtime.flow(flowName, body);

  const runTurn = async (input: unknown, config: RunnableConfig | undefined, live: LiveCall): Promise<RunResult> => {
    const threadId = config?.configurable?.['thread_id'];
    if (typeof threadId !== 'string' || threadId === '') throw new ThreadIdMissingError({ operation: live.mode });
    const request: GraphRequest = { threadId, input: await storeInput(input), configurable: storableConfigurable(config?.configurable) };
    if (!isFlowActive()) await settleEarlierTurns(turnInFlow, runtime, flowName, request, input);
    return turnInFlow(request, live);
  };

  /** Runs (or continues) the thread's turn through `runInFlow`, with this call's live config if any. */
  const turnInFlow = async (request: GraphRequest, live: LiveCall | undefined): Promise<RunResult> => {
    try {
      return await runInFlow({ name: flowName, key: threadKey(request.threadId), input: request, runtime }, () => runGraph(target, request, live, settings));
    } finally {
      // runInFlow registered a closure over this call; a later resume must not run with its callbacks.
      runtime.flow(flowName, body);
    }
  };

  const invoke = async (input: unknown, config?: RunnableConfig): Promise<unknown> => {
    const live: LiveCall = { config: config ?? {}, mode: 'invoke' };
    const outcome = await runTurn(input, config, live);
    if (outcome.status === 'completed') return outcome.output;
    if (outcome.status === 'waiting') {
      const last = live.lastResult as Record<string, unknown> | undefined;
      if (last && Array.isArray(last['__interrupt__']) && live.delivered) return last;
      const snapshot = (await target.getState({ configurable: { thread_id: config?.configurable?.['thread_id'] } })) as { values: unknown };
      return { ...(snapshot.values as object), __interrupt__: interruptsOfWaits(outcome.waits ?? []) };
    }
    throw outcome.error ?? new Error(`The LangGraph run of execution "${outcome.executionId}" ended ${outcome.status}.`);
  };

  const stream = async (input: unknown, config?: RunnableConfig): Promise<IterableReadableStream<unknown>> => {
    const abort = new AbortController();
    const signal = config?.signal ? AbortSignal.any([abort.signal, config.signal]) : abort.signal;
    const channel = new PartChannel<unknown>();
    const live: LiveCall = { config: { ...config, signal }, mode: 'stream', push: (chunk) => channel.push(chunk) };
    runTurn(input, config, live).then(
      (outcome) => (outcome.status === 'failed' || outcome.status === 'cancelled' ? channel.fail(outcome.error) : channel.end()),
      (error: unknown) => channel.fail(error),
    );
    return IterableReadableStream.fromAsyncGenerator(
      (async function* () {
        let finished = false;
        try {
          yield* channel;
          finished = true;
        } finally {
          // A consumer that stops reading stops the run, as LangGraph's own stream does.
          if (!finished) abort.abort(new Error('The stream of a durable LangGraph run was closed before its end.'));
        }
      })(),
    );
  };

  const handle: DurableGraphHandle = {
    flowName,
    runtime,
    executions: (threadId) => executionsWithKey(runtime, flowName, [threadKey(threadId), replacedKey(threadId)]),
  };

  return new Proxy(graph, {
    get(object, property) {
      if (property === 'invoke') return invoke;
      if (property === 'stream') return stream;
      if (property === 'keel') return handle;
      if (property === durableMarker) return true;
      const value = Reflect.get(object, property, object) as unknown;
      // Bound to the graph itself: LangGraph's classes use private fields, which a proxy cannot reach.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  }) as DurableGraph<Graph>;
}

/** The `runInFlow` key of a thread's turns. */
function threadKey(threadId: string): string {
  return `thread:${threadId}`;
}

/** The key a failed turn gets when new input replaces it, so that `runInFlow` no longer retries it. */
function replacedKey(threadId: string): string {
  return `${threadKey(threadId)}#replaced`;
}

/**
 * Before a turn starts, deals with the thread's unfinished turn, if any, the way LangGraph would:
 * `Command({ resume })` is for that turn (its answers go to its waits, and it continues); the same
 * request again continues it (a re-run after a crash); other input replaces a waiting or failed turn,
 * and lets an interrupted one finish first (its input already reached the graph).
 */
async function settleEarlierTurns(
  turnInFlow: (request: GraphRequest, live: LiveCall | undefined) => Promise<RunResult>,
  runtime: Runtime,
  flowName: string,
  request: GraphRequest,
  input: unknown,
): Promise<void> {
  const key = threadKey(request.threadId);
  const requestHash = contentHash(encodeValue(request, 'a LangGraph request'));
  // Each round settles one unfinished turn; the bound only guards against a store that keeps
  // reporting the same one.
  for (let round = 0; round < 100; round++) {
    const [current] = await executionsWithKey(runtime, flowName, [key], unfinishedStatuses);
    if (!current) return;
    if (isCommand(input) && (input as Command).resume !== undefined) {
      if (current.status === 'waiting') await answerWaits(runtime, current.id, (input as Command).resume);
      return;
    }
    if (current.input.hash === requestHash) return;
    if (current.status === 'waiting') {
      await runtime.executions.cancel(current.id);
    } else if (current.status === 'failed') {
      await rekeyExecution(runtime, current, replacedKey(request.threadId), { 'langgraph.replaced': true });
    } else {
      await turnInFlow((await runtime.executions.get(current.id)).input as GraphRequest, undefined);
    }
  }
}

/**
 * Gives `Command({ resume })`'s answers to a waiting execution's waits. A map (keys that are
 * interrupt ids, or ids or names of the execution's waits) answers waits by key — keys of waits
 * already answered, or of no wait, are ignored, as LangGraph ignores them; any other value answers
 * the only pending wait.
 */
async function answerWaits(runtime: Runtime, executionId: string, resume: unknown): Promise<void> {
  const waits = (await runtime.executions.get(executionId)).waits;
  const pending = waits.filter((wait) => wait.status === 'pending');
  const matches = (wait: WaitInfo, key: string) => wait.metadata?.['interruptId'] === key || wait.id === key || wait.name === key;
  if (typeof resume === 'object' && resume !== null && !Array.isArray(resume)) {
    const entries = Object.entries(resume as Record<string, unknown>);
    if (entries.length > 0 && entries.every(([key]) => interruptIdPattern.test(key) || waits.some((wait) => matches(wait, key)))) {
      for (const [key, value] of entries) {
        const wait = pending.find((candidate) => matches(candidate, key));
        if (wait) await runtime.executions.input(executionId, wait.id, value, { resolvedBy: 'langgraph' });
      }
      return;
    }
  }
  if (pending.length === 1) {
    await runtime.executions.input(executionId, pending[0]!.id, resume, { resolvedBy: 'langgraph' });
    return;
  }
  if (pending.length === 0) return;
  throw new InterruptResumeAmbiguousError({ executionId, pending: pending.map((wait) => String(wait.metadata?.['interruptId'] ?? wait.id)) });
}

/** LangGraph's interrupt ids: an XXH3-128 hash in hex. */
const interruptIdPattern = /^[0-9a-f]{32}$/;

/** The `configurable` entries a request can store: JSON primitives (thread ids, user ids …). */
function storableConfigurable(configurable: Record<string, unknown> | undefined): GraphRequest['configurable'] {
  const kept: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(configurable ?? {})) {
    if (key.startsWith('__')) continue;
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) kept[key] = value;
  }
  return kept;
}
