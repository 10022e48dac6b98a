import type { RunResult as FlowRunResult } from '@keel/core';
import { currentExecution, durableCall, isFlowActive, jsonCopy, runInFlow } from '@keel/core/adapter';
import {
  Runner,
  type Agent,
  type AgentInputItem,
  type ModelProvider,
  type NonStreamRunOptions,
  type RunResult,
  type RunState,
  type StreamedRunResult,
  type StreamRunOptions,
} from '@openai/agents';
import { instrumentAgentClass, decorateAgentModel } from './agent-instrumentation.js';
import { AgentRunWaitingError } from './agent-run-waiting-error.js';
import { awaitApprovals } from './approval-waits.js';
import { continuousStream } from './continuous-stream.js';
import type { DurableAgentOptions, OutsideFlowOptions } from './durable-options.js';
import { runInLane } from './durable-lane.js';
import { combinedSignal, DurableModel } from './durable-model.js';
import { durableModelProvider } from './durable-model-provider.js';
import { usageOf } from './model-response-codec.js';
import { Settings } from './settings.js';

/** The context type of an agent. */
export type ContextOf<TAgent> = TAgent extends Agent<infer Context, any> ? Context : unknown;

/** What a durable agent can be run with: a message, input items, or a `RunState` to continue. */
export type DurableRunInput<TAgent extends Agent<any, any>> = string | AgentInputItem[] | RunState<ContextOf<TAgent>, TAgent>;

type AnyRunOptions = (NonStreamRunOptions<any, any> | StreamRunOptions<any, any>) & OutsideFlowOptions;
type Streamed = StreamedRunResult<any, any>;

/** A streamed run in progress: the result handed out, its end, and (with `deferEnd`) how to end it. */
interface StreamInProgress {
  readonly result: Streamed;
  readonly finished: Promise<void>;
  readonly end: () => void;
}

/** What the flow records as its output when `durable()` opened the flow itself. */
interface RecordedRunSummary {
  readonly agent: string;
  readonly lastAgent: string | undefined;
  readonly finalOutput: unknown;
  readonly usage: { inputTokens: number; outputTokens: number };
}

/**
 * An `@openai/agents` agent whose runs are durable: every model request, tool call and MCP call is a
 * checkpoint, and tool approvals are durable waits. Create it with {@link durable}.
 */
export class DurableAgent<TAgent extends Agent<any, any> = Agent<any, any>> {
  /** The wrapped agent (unchanged, apart from the decoration described in the README). */
  readonly agent: TAgent;
  /**
   * The SDK runner the agent runs with: your `runConfig`, with its model provider decorated. Add run
   * hooks to it (`durableAgent.runner.on('agent_tool_start', …)`) as to any runner.
   */
  readonly runner: Runner;
  readonly #settings: Settings;
  readonly #options: DurableAgentOptions;

  constructor(agent: TAgent, options: DurableAgentOptions = {}) {
    this.agent = agent;
    this.#options = options;
    this.#settings = new Settings(options);
    const { model, ...runConfig } = options.runConfig ?? {};
    this.runner = new Runner({
      ...runConfig,
      ...(model !== undefined ? { model: typeof model === 'string' || DurableModel.isDurable(model) ? model : new DurableModel(model) } : {}),
    });
    // The runner's provider — yours, or the SDK's lazily resolved default — resolves model names;
    // nested runners of agents used as tools inherit it from this config.
    const config = this.runner.config as { modelProvider: ModelProvider };
    config.modelProvider = durableModelProvider(config.modelProvider);
    instrumentAgentClass(agent);
    decorateAgentModel(agent);
  }

  /**
   * Runs the agent, like `runner.run(agent, input, options)`, and resolves with the SDK's own
   * `RunResult`.
   *
   * Inside a flow the calls become checkpoints of that flow. Outside one, the run opens a flow (named
   * after the agent) itself: a later `run()` with the same input continues an unfinished execution.
   * A run outside a flow that stops at a wait (a tool approval) rejects with
   * {@link AgentRunWaitingError}, which names the execution and its waits.
   */
  run(
    input: DurableRunInput<TAgent>,
    options?: NonStreamRunOptions<ContextOf<TAgent>, TAgent> & OutsideFlowOptions,
  ): Promise<RunResult<ContextOf<TAgent>, TAgent>>;
  /**
   * Runs the agent streamed, like `runner.run(agent, input, { stream: true })`, and resolves with a
   * `StreamedRunResult`. Its events are recorded live and replayed from the records on resume; a run
   * that continues after approvals is one stream across them.
   */
  run(
    input: DurableRunInput<TAgent>,
    options: StreamRunOptions<ContextOf<TAgent>, TAgent> & OutsideFlowOptions,
  ): Promise<StreamedRunResult<ContextOf<TAgent>, TAgent>>;
  run(input: DurableRunInput<TAgent>, options: AnyRunOptions = {}): Promise<RunResult<any, any> | Streamed> {
    const { key, ...runOptions } = options;
    if (isFlowActive()) {
      return runOptions.stream === true ? this.#streamInFlow(input, runOptions, false).then(({ result }) => result) : this.#runInFlow(input, runOptions);
    }
    return runOptions.stream === true ? this.#streamOutsideFlow(input, runOptions, key) : this.#runOutsideFlow(input, runOptions, key);
  }

  // ── inside a flow ─────────────────────────────────────────────────────────────────────────

  #runInFlow(input: DurableRunInput<TAgent>, options: AnyRunOptions): Promise<RunResult<any, any>> {
    if (this.#settings.granularity !== 'turn') return this.#drive(input, options);
    return durableCall(this.#turnSpec(), async (context) => {
      const result = await this.#drive(input, options);
      context.setMetadata({ lastAgent: result.lastAgent?.name, usage: usageOf(result.state.usage) });
      return result;
    });
  }

  async #streamInFlow(input: DurableRunInput<TAgent>, options: AnyRunOptions, deferEnd: boolean): Promise<StreamInProgress> {
    if (this.#settings.granularity !== 'turn') return this.#driveStream(input, options, deferEnd);
    let handOver!: (stream: StreamInProgress) => void;
    const handed = new Promise<StreamInProgress>((resolve) => (handOver = resolve));
    // The turn's checkpoint lasts until the whole stream ended; the caller gets the stream at once.
    const finished = durableCall(this.#turnSpec(), async (context) => {
      const stream = await this.#driveStream(input, options, deferEnd);
      handOver(stream);
      await stream.finished;
      context.setMetadata({ lastAgent: stream.result.lastAgent?.name, usage: usageOf(stream.result.state.usage) });
    });
    finished.catch(() => {});
    const stream = await Promise.race([handed, finished.then(() => handed)]);
    return { ...stream, finished };
  }

  #turnSpec() {
    // The turn groups its calls: it runs again on resume, and its calls are served from their records.
    const name = (this.#options.name ?? this.agent.name).replaceAll('/', '_');
    return { name, kind: 'step' as const, durable: false, metadata: { agent: this.agent.name, granularity: 'turn' } };
  }

  /** Runs the SDK loop: a leg, then — after each stop at approvals — a leg from the decided state. */
  #drive(input: DurableRunInput<TAgent>, options: AnyRunOptions): Promise<RunResult<any, any>> {
    return runInLane({ settings: this.#settings, agent: undefined, toolCall: undefined }, async () => {
      const first = this.#sdkOptions(options, false);
      let result = (await this.runner.run(this.agent, input, first)) as RunResult<any, any>;
      while (result.interruptions.length > 0) {
        const state = await awaitApprovals(this.agent, result, this.#settings, options.context !== undefined);
        result = (await this.runner.run(this.agent, state, this.#sdkOptions(options, true))) as RunResult<any, any>;
      }
      return result;
    });
  }

  #driveStream(input: DurableRunInput<TAgent>, options: AnyRunOptions, deferEnd: boolean): Promise<StreamInProgress> {
    return runInLane({ settings: this.#settings, agent: undefined, toolCall: undefined }, async () => {
      const first = (await this.runner.run(this.agent, input, { ...this.#sdkOptions(options, false), stream: true })) as Streamed;
      const stream = continuousStream(
        first,
        async (leg) => {
          if (leg.interruptions.length === 0) return undefined;
          const state = await awaitApprovals(this.agent, leg, this.#settings, options.context !== undefined);
          return (await this.runner.run(this.agent, state, { ...this.#sdkOptions(options, true), stream: true })) as Streamed;
        },
        { deferEnd },
      );
      // Its errors reach the consumer through the result; whoever waits on `finished` sees them too.
      stream.finished.catch(() => {});
      return stream;
    });
  }

  /** The SDK's run options: the caller's, with Keel's cancellation joined to the caller's signal. */
  #sdkOptions(options: AnyRunOptions, continuing: boolean): NonStreamRunOptions<any, any> {
    const { stream: _stream, context, ...rest } = options;
    const keel = currentExecution()?.signal;
    const signal = keel ? combinedSignal(options.signal, keel) : options.signal;
    return {
      ...rest,
      // A continuation carries its context in its RunState.
      ...(!continuing && context !== undefined ? { context } : {}),
      ...(signal ? { signal } : {}),
    };
  }

  // ── outside a flow ────────────────────────────────────────────────────────────────────────

  async #runOutsideFlow(input: DurableRunInput<TAgent>, options: AnyRunOptions, key: string | undefined): Promise<RunResult<any, any>> {
    let result: RunResult<any, any> | undefined;
    const outcome = await runInFlow(this.#flowOptions(input, key), async () => {
      result = await this.#runInFlow(input, options);
      return this.#summary(result);
    });
    if (outcome.status === 'completed' && result) return result;
    throw this.#notCompleted(outcome);
  }

  #streamOutsideFlow(input: DurableRunInput<TAgent>, options: AnyRunOptions, key: string | undefined): Promise<Streamed> {
    return new Promise<Streamed>((resolve, reject) => {
      let handed: StreamInProgress | undefined;
      const fail = (error: unknown) => {
        if (handed) (handed.result as unknown as { _raiseError(error: unknown): void })._raiseError(error);
        else reject(error);
      };
      runInFlow(this.#flowOptions(input, key), async () => {
        // The stream ends only once the execution is stored as completed: `await completed` means recorded.
        const stream = await this.#streamInFlow(input, options, true);
        handed = stream;
        resolve(stream.result);
        await stream.finished;
        return this.#summary(stream.result);
      }).then((outcome) => {
        if (outcome.status === 'completed') handed?.end();
        else fail(this.#notCompleted(outcome));
      }, fail);
    });
  }

  #flowOptions(input: DurableRunInput<TAgent>, runKey: string | undefined) {
    const identity = typeof input === 'string' || Array.isArray(input) ? input : { runState: input.toString() };
    const optionKey = this.#options.key;
    const key = runKey ?? (typeof optionKey === 'function' ? optionKey({ input: identity }) : optionKey);
    return {
      name: this.#options.name ?? this.agent.name,
      input: identity,
      ...(key !== undefined ? { key } : {}),
      // `runInFlow` is typed with core's runtime class; any runtime from `createRuntime` is one.
      ...(this.#options.runtime ? { runtime: this.#options.runtime as never } : {}),
    };
  }

  #summary(result: RunResult<any, any> | Streamed): RecordedRunSummary {
    return {
      agent: this.agent.name,
      lastAgent: result.lastAgent?.name,
      finalOutput: jsonCopy(result.finalOutput),
      usage: usageOf(result.state.usage),
    };
  }

  #notCompleted(outcome: FlowRunResult<unknown>): Error {
    if (outcome.status === 'waiting') {
      return new AgentRunWaitingError({ executionId: outcome.executionId, agent: this.agent.name, waits: outcome.waits ?? [] });
    }
    return outcome.error ?? new Error(`The run of agent "${this.agent.name}" ended ${outcome.status} (execution "${outcome.executionId}").`);
  }
}
