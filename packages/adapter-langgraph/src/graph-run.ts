import type { Runtime } from '@keel/core';
import { currentExecution, durableCall } from '@keel/core/adapter';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { BaseCheckpointSaver, PendingWrite } from '@langchain/langgraph-checkpoint';
import { Command, isCommand } from '@langchain/langgraph';
import { pendingInterrupts, waitForAnswer, type SnapshotLike } from './interrupt-waits.js';
import { reviveValue, storeValue, type StoredValue } from './langchain-values.js';
import { recordSerde } from './model-records.js';
import type { Granularity } from './options.js';
import { runWithContext } from './run-context.js';

/** The part of a compiled LangGraph graph a durable run drives. */
export interface DrivableGraph {
  invoke(input: unknown, config?: RunnableConfig): Promise<unknown>;
  stream(input: unknown, config?: RunnableConfig): Promise<AsyncIterable<unknown>>;
  getState(config: RunnableConfig): Promise<SnapshotLike>;
  checkpointer?: unknown;
  interruptBefore?: unknown;
  interruptAfter?: unknown;
}

/** A graph input as stored in a request: `null`, a value, or a `Command`. */
export type StoredInput =
  { readonly kind: 'null' } | { readonly kind: 'value'; readonly value: StoredValue } | { readonly kind: 'command'; readonly command: StoredValue };

/**
 * What one `invoke`/`stream` of a durable graph was asked: the execution's input. Only what can be
 * stored is kept (the thread, the input, JSON-valued `configurable` entries); callbacks, signals and
 * clients come from the live call when there is one.
 */
export interface GraphRequest {
  readonly threadId: string;
  readonly input: StoredInput;
  readonly configurable: Readonly<Record<string, string | number | boolean | null>>;
}

/** The live call a run serves, when it runs in the caller's process (not in a worker). */
export interface LiveCall {
  readonly config: RunnableConfig;
  readonly mode: 'invoke' | 'stream';
  /** Receives stream chunks in `stream` mode. */
  readonly push?: (chunk: unknown) => void;
  /** The last result `invoke` returned (with `__interrupt__` when the graph stopped at one). */
  lastResult?: unknown;
  /** Whether the graph was delivered anything in this session. */
  delivered?: boolean;
}

/** How a durable graph runs. */
export interface RunSettings {
  /** The runtime the graph's executions run on (to tell a replay from a run). */
  readonly runtime: Runtime;
  readonly graphName: string;
  readonly granularity: Granularity;
  readonly interruptTimeout?: number;
}

/**
 * Runs one turn of a graph inside the current Keel flow, so that it can stop at any point — a crash,
 * an `interrupt()` — and continue in another process without repeating work:
 *
 * 1. `langgraph.start` records the thread's newest checkpoint before the input is given to LangGraph.
 *    When the flow runs again and the thread has moved on, LangGraph already has the input and is
 *    not given it twice.
 * 2. The graph runs; its model and tool calls are checkpoints of this run, keyed by graph task.
 * 3. Each `interrupt()` that waits becomes a Keel wait keyed by its interrupt id; with all answered,
 *    the graph is resumed with `Command({ resume: { [interruptId]: answer } })`. A run that LangGraph
 *    left unfinished (the process died) is continued with `invoke(null)`.
 *
 * LangGraph continues from its own checkpoint and skips the nodes that finished, so the calls of a
 * run come in another order in every session: all of them but `langgraph.start` (always the first)
 * are `ordered: false`, identified by their key alone and left out of Keel's check by position.
 *
 * The run is one checkpoint (`langgraph`), re-run on every session (`durable: false`) except at
 * `turn` granularity, where a finished run is reused whole.
 */
export async function runGraph(graph: DrivableGraph, request: GraphRequest, live: LiveCall | undefined, settings: RunSettings): Promise<unknown> {
  let result: unknown;
  const stopper = new AbortController();
  const context = { granularity: settings.granularity, stop: (error: unknown) => stopper.abort(error) };
  const stored = await runWithContext(context, () =>
    durableCall(
      { name: 'langgraph', kind: 'step', durable: settings.granularity === 'turn', metadata: { graph: settings.graphName, thread_id: request.threadId } },
      async () => {
        result = await drive(graph, request, live, settings, stopper.signal);
        return settings.granularity === 'turn' ? await storeValue(recordSerde, result) : null;
      },
    ),
  );
  if (result === undefined && stored) result = await reviveValue(recordSerde, stored);
  return result;
}

async function drive(graph: DrivableGraph, request: GraphRequest, live: LiveCall | undefined, settings: RunSettings, stopped: AbortSignal): Promise<unknown> {
  const replayOf = await replayedExecution(settings.runtime);
  const start = await durableCall(
    { name: 'langgraph.start', kind: 'step', metadata: { thread_id: request.threadId } },
    async () => (replayOf ? await recordedStart(settings.runtime, replayOf) : undefined) ?? { head: await headOf(graph, request.threadId), request },
  );
  // The request this execution was started with: a resumed execution finishes its own turn.
  const original = replayOf ? await forkForReplay(graph, start.request, start.head) : start.request;
  const threadConfig: RunnableConfig = { configurable: { ...original.configurable, thread_id: original.threadId } };
  let first = true;
  let delivered = false;
  let result: unknown;
  const deliver = async (input: unknown): Promise<void> => {
    const config = configFor(original, live, first, stopped);
    first = false;
    delivered = true;
    if (live) live.delivered = true;
    try {
      if (live?.mode === 'stream') {
        for await (const chunk of await graph.stream(input, config)) live.push?.(chunk);
        result = undefined;
      } else {
        result = await graph.invoke(input, config);
        if (live) live.lastResult = result;
      }
    } catch (error) {
      // The graph stopped because a call hit one of Keel's errors: that error is the real outcome.
      if (stopped.aborted) throw stopped.reason;
      throw error;
    }
  };

  if ((await headOf(graph, original.threadId)) === start.head) await deliver(await inputOf(original.input));
  for (;;) {
    const snapshot = await graph.getState(threadConfig);
    const pending = pendingInterrupts(snapshot);
    if (pending.length > 0) {
      const answers = await Promise.all(
        pending.map((interrupt) => waitForAnswer(interrupt, { ...(settings.interruptTimeout !== undefined ? { timeout: settings.interruptTimeout } : {}) })),
      );
      await deliver(new Command({ resume: Object.fromEntries(pending.map((interrupt, index) => [interrupt.id, answers[index]])) }));
      continue;
    }
    const head = await headOf(graph, original.threadId);
    if (delivered) {
      // The graph returned without waiting: it finished, or stopped at a static breakpoint, which a
      // later session must respect rather than take for an unfinished run.
      if (snapshot.next.length > 0 && head && hasBreakpoints(graph, live)) await stopAt(head, true);
      return result ?? snapshot.values;
    }
    // Nothing was delivered in this session: an earlier one gave LangGraph the input and stopped.
    if (snapshot.next.length === 0 && snapshot.tasks.length === 0) return snapshot.values;
    if (head && hasBreakpoints(graph, live) && (await stopAt(head, false))) return snapshot.values;
    await deliver(null);
  }
}

/** What a turn's `langgraph.start` records. */
interface TurnStart {
  readonly head: string | null;
  readonly request: GraphRequest;
}

/** The execution the current one replays, if it is a Keel replay. */
async function replayedExecution(runtime: Runtime): Promise<string | undefined> {
  const execution = currentExecution();
  if (!execution) return undefined;
  return (await runtime.executions.get(execution.executionId)).replayOf?.executionId;
}

/** The start of the replayed turn, for a replay that re-runs its `langgraph.start` too. */
async function recordedStart(runtime: Runtime, executionId: string): Promise<TurnStart | undefined> {
  const record = (await runtime.executions.checkpoints(executionId)).find(
    (candidate) => candidate.name === 'langgraph.start' && candidate.status === 'completed',
  );
  return record?.output === undefined ? undefined : (record.output as TurnStart);
}

/**
 * A Keel replay runs the turn again on a copy of the thread as it was before the turn
 * (`<thread>~replay~<execution id>`), so that the conversation itself is left as it is. The copy's
 * steps are numbered as the original's were, so the replay finds the recorded calls it reuses.
 */
async function forkForReplay(graph: DrivableGraph, request: GraphRequest, head: string | null): Promise<GraphRequest> {
  const execution = currentExecution()!;
  const threadId = `${request.threadId}~replay~${execution.executionId}`;
  const checkpointer = graph.checkpointer as BaseCheckpointSaver | undefined;
  if (head !== null && checkpointer && typeof checkpointer.getTuple === 'function') {
    const copy: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
    if (!(await checkpointer.getTuple(copy))) {
      const tuple = await checkpointer.getTuple({ configurable: { thread_id: request.threadId, checkpoint_ns: '', checkpoint_id: head } });
      if (tuple) {
        const stored = await checkpointer.put(
          copy,
          tuple.checkpoint,
          tuple.metadata ?? { source: 'fork', step: -1, parents: {} },
          tuple.checkpoint.channel_versions,
        );
        const byTask = new Map<string, PendingWrite[]>();
        for (const [taskId, channel, value] of tuple.pendingWrites ?? []) byTask.set(taskId, [...(byTask.get(taskId) ?? []), [channel, value]]);
        for (const [taskId, writes] of byTask) await checkpointer.putWrites(stored, writes, taskId);
      }
    }
  }
  return { ...request, threadId, configurable: { ...request.configurable, thread_id: threadId } };
}

/**
 * Whether the run stopped at a breakpoint at checkpoint `head` in an earlier session (records
 * `stopped` if not known yet). Identified by the checkpoint alone: a session that continues after a
 * crash asks about a newer head than the one before it did.
 */
function stopAt(head: string, stopped: boolean): Promise<boolean> {
  return durableCall({ name: 'langgraph.stop', key: head, kind: 'step', ordered: false }, () => stopped);
}

function hasBreakpoints(graph: DrivableGraph, live: LiveCall | undefined): boolean {
  const configured = (value: unknown) => value === '*' || (Array.isArray(value) && value.length > 0);
  const config = live?.config as Record<string, unknown> | undefined;
  return (
    configured(graph.interruptBefore) || configured(graph.interruptAfter) || configured(config?.['interruptBefore']) || configured(config?.['interruptAfter'])
  );
}

/** The id of the thread's newest root checkpoint, or `null` for a new thread. */
async function headOf(graph: DrivableGraph, threadId: string): Promise<string | null> {
  const checkpointer = graph.checkpointer as { getTuple?: (config: RunnableConfig) => Promise<{ checkpoint: { id: string } } | undefined> } | undefined;
  if (checkpointer && typeof checkpointer.getTuple === 'function') {
    return (await checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '' } }))?.checkpoint.id ?? null;
  }
  const snapshot = (await graph.getState({ configurable: { thread_id: threadId } })) as { config?: RunnableConfig };
  return (snapshot.config?.configurable?.['checkpoint_id'] as string | undefined) ?? null;
}

/**
 * The config of a delivery: the live call's (callbacks, signal, stream modes…) when there is one.
 * Only the first delivery keeps a `checkpoint_id` (time travel); the rest continue from the newest.
 * The graph also stops when the execution is cancelled or loses its lease, or a call stops the run.
 */
function configFor(request: GraphRequest, live: LiveCall | undefined, first: boolean, stopped: AbortSignal): RunnableConfig {
  const base = live?.config ?? {};
  const configurable: Record<string, unknown> = { ...request.configurable, ...base.configurable, thread_id: request.threadId };
  if (!first) {
    delete configurable['checkpoint_id'];
    delete configurable['checkpoint_ns'];
  }
  const signals = [stopped, currentExecution()?.signal, base.signal].filter((signal): signal is AbortSignal => signal !== undefined);
  return { ...base, configurable, signal: AbortSignal.any(signals) };
}

/** Stores a graph input (a value, `null` or a `Command`) for a request. */
export async function storeInput(input: unknown): Promise<StoredInput> {
  if (input === null || input === undefined) return { kind: 'null' };
  if (isCommand(input)) {
    const { resume, update, goto, graph } = input as Command;
    const fields: Record<string, unknown> = {};
    if (resume !== undefined) fields['resume'] = resume;
    if (update !== undefined) fields['update'] = update;
    if (goto !== undefined && !(Array.isArray(goto) && goto.length === 0)) fields['goto'] = goto;
    if (graph !== undefined) fields['graph'] = graph;
    return { kind: 'command', command: await storeValue(recordSerde, fields) };
  }
  return { kind: 'value', value: await storeValue(recordSerde, input) };
}

/** Rebuilds a stored graph input. */
export async function inputOf(stored: StoredInput): Promise<unknown> {
  if (stored.kind === 'null') return null;
  if (stored.kind === 'command') return new Command((await reviveValue(recordSerde, stored.command)) as ConstructorParameters<typeof Command>[0]);
  return reviveValue(recordSerde, stored.value);
}
