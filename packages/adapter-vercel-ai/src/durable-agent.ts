import type { RunResult } from '@keel/core';
import {
  CallPolicy,
  ExecutionWaitingError,
  durableCall,
  isFlowActive,
  requestFingerprint,
  runInFlow,
  storableData,
  type RunInFlowOptions,
} from '@keel/core/adapter';
import { AgentRun } from './agent-run.js';
import { AgentUnsupportedError } from './agent-unsupported-error.js';
import { wrapModel } from './durable-model.js';
import { wrapTools } from './durable-tools.js';
import { ModelUnsupportedError } from './model-unsupported-error.js';
import type { DurableAgentOptions } from './options.js';
import { snapshotResult } from './result-snapshot.js';
import type { AgentShape } from './sdk-shapes.js';
import { interceptToolApproval } from './tool-approval.js';

/** A promise that never settles: what a call that stopped at a wait is, in the process that stopped. */
const never = new Promise<never>(() => {});

type Settings = Record<string, unknown> & { readonly prepareCall?: (options: Record<string, unknown>) => unknown };
type CallParameters = Record<string, unknown> & { readonly abortSignal?: AbortSignal };
type AgentMethods = {
  generate(options: CallParameters): Promise<unknown>;
  stream(options: CallParameters): Promise<unknown>;
};

/**
 * Makes an agent durable. The returned object behaves as the agent — `generate` and `stream` take the
 * same arguments and resolve with the SDK's own result types — and every model request, tool call
 * and MCP call of a run becomes a checkpoint:
 *
 * - inside a Keel flow, the run's calls are checkpoints of that flow, under one checkpoint named after
 *   the agent (`agent:1/model:1`, `agent:1/searchNews:call_1@2` …);
 * - outside a flow, a call opens a flow itself (named after the agent, identified by its arguments),
 *   so re-running a script after a crash continues the run instead of starting over.
 *
 * Tool approvals (`needsApproval` in ai 6, `toolApproval` in ai 7) become durable waits named
 * `approve_<tool>` (input `{ approve: boolean, reason?: string }`); the process may exit while one is
 * open. Outside a flow, a run that stops at a wait makes `generate` reject (and `stream`'s promise or
 * stream end) with {@link ExecutionWaitingError}, which carries the execution id and the pending waits;
 * answer them and call again with the same arguments to continue.
 *
 * @example
 * ```ts
 * const agent = durable(new ToolLoopAgent({ model, tools: { searchNews, readPage }, instructions }));
 * const result = await agent.generate({ prompt: 'Find the most important AI news' });
 * ```
 */
export function durable<Agent extends AgentShape>(agent: Agent, options: DurableAgentOptions = {}): Agent {
  const settings = (agent as unknown as { settings?: unknown }).settings;
  if (typeof settings !== 'object' || settings === null || !('model' in settings) || typeof (agent as { constructor?: unknown }).constructor !== 'function') {
    throw new AgentUnsupportedError({ agent });
  }
  const agentSettings = settings as Settings;
  if (typeof agentSettings['model'] === 'string' && typeof agentSettings.prepareCall !== 'function') {
    throw new ModelUnsupportedError({ model: agentSettings['model'] });
  }
  const runner = new DurableAgentRunner(agent, agentSettings, options);
  const generate = (parameters: CallParameters) => runner.generate(parameters ?? {});
  const stream = (parameters: CallParameters) => runner.stream(parameters ?? {});
  return new Proxy(agent, {
    get(target, property, receiver) {
      if (property === 'generate') return generate;
      if (property === 'stream') return stream;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

interface StartedStream {
  readonly run: AgentRun;
  readonly result: Promise<unknown>;
  /** Resolves when the run's stream was read to its end, with what it streamed. */
  readonly done: Promise<StreamSummary>;
}

/** Runs calls of one durable agent. */
class DurableAgentRunner {
  readonly #agent: AgentShape;
  readonly #settings: Settings;
  readonly #options: DurableAgentOptions;
  readonly #calls: CallPolicy;
  readonly #name: string;

  constructor(agent: AgentShape, settings: Settings, options: DurableAgentOptions) {
    this.#agent = agent;
    this.#settings = settings;
    this.#options = options;
    this.#calls = new CallPolicy(options);
    const id = settings['id'];
    this.#name = (options.name ?? (typeof id === 'string' && id ? id : 'agent')).replace(/[/:\s]/g, '_');
  }

  async generate(parameters: CallParameters): Promise<unknown> {
    if (isFlowActive()) return this.#generateInFlow(parameters);
    let result: unknown;
    let run: AgentRun | undefined;
    const outcome = await runInFlow(this.#flowOptions(parameters), async () => {
      run = new AgentRun();
      result = await this.#generateInFlow(parameters, run);
      return generateOutput(result);
    });
    // A run that stopped at a wait is still inside the SDK, waiting for the call at the wait: end it.
    if (outcome.status === 'waiting') run?.abandon(waitingError(outcome));
    return settled(outcome, () => result);
  }

  stream(parameters: CallParameters): Promise<unknown> {
    if (isFlowActive()) {
      const started = this.#streamInFlow(parameters);
      // Errors of the run reach the caller through the SDK's stream; nothing else awaits `done`.
      started.done.catch(() => {});
      return started.result;
    }
    let started: StartedStream | undefined;
    let resolveResult!: (result: unknown) => void;
    let rejectResult!: (error: unknown) => void;
    const result = new Promise<unknown>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    let markRecorded!: () => void;
    const recorded = new Promise<void>((resolve) => (markRecorded = resolve));
    const gated = { ...parameters, experimental_transform: [...asArray(parameters['experimental_transform']), untilRecorded(recorded)] };
    runInFlow(this.#flowOptions(parameters), async () => {
      started = this.#streamInFlow(gated);
      started.result.then(resolveResult, () => {});
      return streamOutput(await started.done);
    })
      .then(
        (outcome) => {
          if (outcome.status === 'completed') return;
          const error = outcome.status === 'waiting' ? waitingError(outcome) : outcome.error;
          // The SDK is still waiting for the call that stopped at the wait: end its run too.
          started?.run.abandon(error);
          rejectResult(error);
        },
        (error: unknown) => {
          started?.run.abort(error);
          rejectResult(error);
        },
      )
      .finally(markRecorded);
    return result;
  }

  async #generateInFlow(parameters: CallParameters, run = new AgentRun()): Promise<unknown> {
    const turn = this.#options.granularity === 'turn';
    let live: unknown;
    const stored = await durableCall(
      {
        name: this.#name,
        kind: 'step',
        durable: turn,
        fingerprint: requestFingerprint(callData(parameters)),
        metadata: { agent: this.#name, call: 'generate', granularity: turn ? 'turn' : 'calls' },
      },
      async (context) => {
        run.bind(context.signal);
        try {
          live = await this.#agentFor(run).generate({ ...parameters, abortSignal: run.joinSignal(parameters.abortSignal) });
        } catch (error) {
          if (run.abandoned) return never;
          throw run.reasonFor(error);
        }
        run.throwIfFailed();
        return turn ? snapshotResult(live) : null;
      },
    );
    return live ?? stored;
  }

  /**
   * A streamed run. The run's checkpoint lasts until the stream has been read to its end — the run
   * reads a branch of it itself, so it ends even when the caller stops reading — and is never stored
   * as a whole: a `StreamTextResult` can only be rebuilt by running the loop again over the recorded
   * calls, which is what a resume does (in `turn` granularity too).
   */
  #streamInFlow(parameters: CallParameters): StartedStream {
    const run = new AgentRun();
    let resolveResult!: (result: unknown) => void;
    let rejectResult!: (error: unknown) => void;
    const result = new Promise<unknown>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    const done = durableCall(
      {
        name: this.#name,
        kind: 'step',
        durable: false,
        fingerprint: requestFingerprint(callData(parameters)),
        metadata: { agent: this.#name, call: 'stream', granularity: this.#options.granularity ?? 'calls' },
      },
      async (context) => {
        run.bind(context.signal);
        let summary: StreamSummary;
        try {
          const streamed = await this.#agentFor(run).stream({ ...parameters, abortSignal: run.joinSignal(parameters.abortSignal) });
          resolveResult(streamed);
          summary = await drain(streamed, run);
        } catch (error) {
          if (run.abandoned) return never;
          throw run.reasonFor(error);
        }
        // Like a call stopped at a wait, an abandoned run never ends: nothing of it is recorded.
        if (run.abandoned) return never;
        run.throwIfFailed();
        return summary;
      },
    ) as Promise<StreamSummary>;
    done.catch((error: unknown) => rejectResult(error));
    return { run, result, done };
  }

  /**
   * A copy of the agent for one run, whose prepared calls use durable models and tools bound to the
   * run. Everything the agent would send to `generateText`/`streamText` passes through `prepareCall`
   * (ai 6 and 7), so wrapping there also covers what a user's own `prepareCall` returns.
   */
  #agentFor(run: AgentRun): AgentMethods {
    const Agent = (this.#agent as unknown as { constructor: new (settings: Settings) => AgentMethods }).constructor;
    const settings = this.#settings;
    const userPrepareCall = settings.prepareCall;
    const calls = this.#calls;
    return new Agent({
      ...settings,
      prepareCall: async (base: Record<string, unknown>) => {
        const prepared = (typeof userPrepareCall === 'function' ? await userPrepareCall.call(settings, base) : base) as Record<string, unknown>;
        return durableCallArguments(prepared, run, calls);
      },
    });
  }

  #flowOptions(parameters: CallParameters): RunInFlowOptions {
    const input = callData(parameters);
    const key = this.#options.key;
    return {
      name: this.#name,
      input,
      ...(key !== undefined ? { key: typeof key === 'function' ? key(input) : key } : {}),
      // `Runtime` is what users hold; runInFlow is typed with the class behind it.
      ...(this.#options.runtime ? { runtime: this.#options.runtime as RunInFlowOptions['runtime'] } : {}),
    };
  }
}

/** The arguments of one `generateText`/`streamText` call, with the model, tools and policies made durable. */
function durableCallArguments(prepared: Record<string, unknown>, run: AgentRun, calls: CallPolicy): Record<string, unknown> {
  const { tools, waitable } = wrapTools(prepared['tools'], run, calls);
  const prepareStep = prepared['prepareStep'];
  return {
    ...prepared,
    model: wrapModel(prepared['model'], run, calls),
    ...(prepared['tools'] !== undefined ? { tools } : {}),
    ...(prepared['toolApproval'] !== undefined ? { toolApproval: interceptToolApproval(prepared['toolApproval'], run, waitable) } : {}),
    ...(typeof prepareStep === 'function'
      ? {
          prepareStep: async (options: unknown) => {
            const step = (await (prepareStep as (options: unknown) => unknown)(options)) as Record<string, unknown> | undefined;
            // A step may switch models: the one it picks is made durable too.
            return step && step['model'] !== undefined ? { ...step, model: wrapModel(step['model'], run, calls) } : step;
          },
        }
      : {}),
  };
}

/** What identifies a call: its data (prompt, messages, options …), without callbacks, transforms and signals. */
function callData(parameters: CallParameters): Record<string, unknown> {
  const { experimental_transform: _transforms, ...data } = parameters;
  return (storableData(data) ?? {}) as Record<string, unknown>;
}

/** What a streamed run produced, read from its parts (its promises settle only after the stream closed). */
interface StreamSummary {
  readonly text: string;
  readonly finishReason?: unknown;
  readonly usage?: unknown;
}

/**
 * Reads a streamed run (a branch of it: the caller reads its own) up to its `finish` part, noting Keel
 * errors. It does not wait for the stream to close: outside a flow the stream closes only after the
 * run is recorded (see {@link untilRecorded}).
 */
async function drain(result: unknown, run: AgentRun): Promise<StreamSummary> {
  const streams = result as { readonly stream?: unknown; readonly fullStream?: unknown };
  // ai 7 names the full stream `stream` (`fullStream` is its deprecated alias); ai 6 has `fullStream` only.
  const parts = (streams.stream instanceof ReadableStream ? streams.stream : streams.fullStream) as AsyncIterable<Record<string, unknown> & { type: string }>;
  let text = '';
  for await (const part of parts) {
    if (part.type === 'text-delta') text += String(part['text'] ?? part['delta'] ?? '');
    if (part.type === 'error') run.fail(part['error']);
    if (part.type === 'finish') return { text, finishReason: part['finishReason'], usage: part['totalUsage'] };
  }
  return { text };
}

/**
 * A stream transform that holds the end of a streamed run (outside a flow) until its execution is
 * recorded, so a caller that read the stream to its end can rely on the run being stored (and a script
 * may exit). A run that ends without `finish` (aborted at a wait, failed) is not held.
 */
function untilRecorded(recorded: Promise<void>) {
  return () => {
    let finished = false;
    return new TransformStream<{ type: string }, { type: string }>({
      transform(part, controller) {
        if (part.type === 'finish') finished = true;
        controller.enqueue(part);
      },
      async flush() {
        if (finished) await recorded;
      },
    });
  };
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The flow output a run opened by a `generate` call stores: small, for surfaces. */
function generateOutput(result: unknown): unknown {
  const value = result as { text?: unknown; finishReason?: unknown; totalUsage?: unknown; usage?: unknown };
  return storableData({ text: value.text, finishReason: value.finishReason, usage: value.totalUsage ?? value.usage });
}

/** The flow output of a streamed run, once it ended. */
function streamOutput(summary: StreamSummary): unknown {
  return storableData(summary);
}

function waitingError(outcome: RunResult): ExecutionWaitingError {
  return new ExecutionWaitingError({ executionId: outcome.executionId, waits: outcome.waits ?? [], subject: 'The agent run' });
}

/** The result of a run opened by the adapter, or the error that says why there is none. */
function settled(outcome: RunResult, result: () => unknown): unknown {
  if (outcome.status === 'completed') return result() ?? outcome.output;
  if (outcome.status === 'waiting') throw waitingError(outcome);
  throw outcome.error ?? new Error(`The agent run (execution "${outcome.executionId}") ended ${outcome.status}.`);
}
