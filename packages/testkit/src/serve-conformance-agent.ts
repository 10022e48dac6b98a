import {
  conformancePrompt,
  longLoopSteps,
  type ConformanceConfig,
  type ConformanceOutcome,
  type ConformanceRequestStorage,
  type ConformanceScenario,
} from './conformance-protocol.js';

/** What a run returns, as `@keel/core`'s `RunResult` has it (only what the protocol reports). */
export interface ConformanceRunResult {
  readonly executionId: string;
  readonly status: string;
  readonly output?: unknown;
  readonly waits?: readonly { readonly name: string }[];
  readonly error?: Error;
}

/**
 * The part of a `@keel/core` runtime the conformance agent uses (`createRuntime({ store: lowdbStore(dir) })`
 * fits). Declared here so the test kit does not depend on `@keel/core`: core's own tests use the kit.
 */
export interface ConformanceRuntime {
  flow(
    name: string,
    fn: (input: string) => Promise<string>,
  ): { run(input: string, options?: { readonly budget?: { readonly tokens?: number; readonly usd?: number } }): Promise<ConformanceRunResult> };
  readonly executions: {
    recover(): Promise<readonly { readonly executionId: string; readonly result?: ConformanceRunResult; readonly error?: Error }[]>;
    input(executionId: string, wait: string, value: unknown, options?: { resolvedBy?: string }): Promise<unknown>;
    replay(executionId: string): Promise<ConformanceRunResult>;
  };
  close(): Promise<void>;
}

/** The tools' side effects: they print what they do, so the suite counts real executions across processes. */
export interface ConformanceTools {
  /** `lookup({ topic })`: returns `facts about <topic>`. */
  lookup(topic: string): Promise<string>;
  /** `publish({ text })`: returns `published <text>`. Must need approval. */
  publish(text: string): Promise<string>;
}

/** What the adapter's agent function gets. */
export interface ConformanceContext {
  readonly scenario: ConformanceScenario;
  /** The fake LLM server, as `baseURL` for OpenAI clients and `@ai-sdk/*` providers. */
  readonly url: string;
  /** The fake LLM server's origin, as `baseURL` for `@anthropic-ai/sdk`. */
  readonly origin: string;
  readonly model: string;
  /** The user prompt. */
  readonly prompt: string;
  /**
   * The model calls the scenario may make: the agent lets its harness run that many steps (`ai`'s
   * `stopWhen: stepCountIs(n)`, @openai/agents' `maxTurns`, LangGraph's `recursionLimit`).
   */
  readonly maxSteps: number;
  /** Whether to drive the harness's streaming API; report text with `delta()` as it arrives. */
  readonly stream: boolean;
  readonly tools: ConformanceTools;
  /** Reports a streamed text delta. */
  delta(text: string): void;
  /** Adapter-specific settings from `runAdapterConformance({ agentOptions })`. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Options of {@link serveConformanceAgent}. */
export interface ServeConformanceAgentOptions {
  /** Opens the runtime on the store folder the suite chose, e.g. `(store) => createRuntime({ store: lowdbStore(store) })`. */
  readonly runtime: (store: string) => ConformanceRuntime;
  /**
   * Runs the scenario's agent through the adapter, inside a flow, and returns its final text. Tools:
   * `lookup` and `publish` (`publish` needs approval), each with one string parameter (`topic`, `text`),
   * calling `context.tools`. The model: `context.model` at `context.url`, through the provider's real client.
   */
  readonly agent: (context: ConformanceContext) => Promise<string>;
  /**
   * Measures how an execution's model requests are stored — `requestStorage(await runtime.store(),
   * executionId)` from `@keel/core/adapter`. The `long-loop` proof asserts on it.
   */
  readonly requestStorage?: (executionId: string) => Promise<ConformanceRequestStorage>;
}

/**
 * The body of an adapter's conformance agent (a child process of `runAdapterConformance()`): reads the
 * suite's JSON argument, runs, recovers or answers the scenario's flow, prints the protocol's lines,
 * and exits.
 *
 * @example
 * // test/fixtures/conformance-agent.mjs
 * await serveConformanceAgent({
 *   runtime: (store) => createRuntime({ store: lowdbStore(store) }),
 *   agent: async ({ url, model, tools, prompt }) => { … return text; },
 * });
 */
export async function serveConformanceAgent(options: ServeConformanceAgentOptions): Promise<never> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ConformanceConfig;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const runtime = options.runtime(config.store);

  const effect = async (name: string, argument: string, result: string) => {
    print(`tool start ${name} ${argument}`);
    if (config.mode === 'run' && name === 'lookup' && argument === config.hangInTool) {
      // Blocks here, with a timer keeping the process alive, until the suite kills it.
      setInterval(() => {}, 60_000);
      await new Promise<never>(() => {});
    }
    print(`tool done ${name} ${argument}`);
    return result;
  };
  const context: ConformanceContext = {
    scenario: config.scenario,
    url: config.url,
    origin: config.origin,
    model: config.model,
    prompt: config.prompt ?? conformancePrompt,
    maxSteps: longLoopSteps + 5,
    stream: config.stream,
    options: config.options,
    tools: {
      // In the long loop a result is as long as a search result: what makes re-sent history costly.
      lookup: (topic) => effect('lookup', topic, config.scenario === 'long-loop' ? `facts about ${topic} `.padEnd(1_000, '.') : `facts about ${topic}`),
      publish: (text) => effect('publish', text, `published ${text}`),
    },
    delta: (text) => print(`delta ${JSON.stringify(text)}`),
  };
  // The body takes the prompt from this process's config, not from the stored input, so that a
  // resuming process can change the request (the divergence proof).
  const flow = runtime.flow(`conformance-${config.scenario}`, () => options.agent(context));

  let outcome: ConformanceOutcome;
  try {
    if (config.mode === 'run') {
      outcome = describe(await flow.run(conformancePrompt, config.budget ? { budget: config.budget } : undefined));
    } else if (config.mode === 'replay') {
      outcome = describe(await runtime.executions.replay(config.replayOf!));
    } else {
      if (config.mode === 'answer') {
        const { executionId, wait, input } = config.answer!;
        await runtime.executions.input(executionId, wait, input, { resolvedBy: 'conformance' });
      }
      const [report] = await runtime.executions.recover();
      outcome =
        report === undefined
          ? { status: 'nothing-to-recover' }
          : report.result !== undefined
            ? describe(report.result)
            : { status: 'failed', executionId: report.executionId, error: errorOf(report.error) };
    }
  } catch (error) {
    outcome = { status: 'failed', error: errorOf(error) };
  }
  if (config.scenario === 'long-loop' && outcome.executionId !== undefined && options.requestStorage) {
    outcome = { ...outcome, requestStorage: await options.requestStorage(outcome.executionId) };
  }
  print(`result ${JSON.stringify(outcome)}`);
  if (config.holdWhenWaiting && outcome.status === 'waiting') {
    // Held, store open, until the suite kills the process with SIGKILL.
    setInterval(() => {}, 60_000);
    await new Promise<never>(() => {});
  }
  await runtime.close();
  // HTTP clients keep sockets alive, which would hold the process a few seconds more.
  process.exit(0);
}

function describe(result: ConformanceRunResult): ConformanceOutcome {
  return {
    status: result.status as ConformanceOutcome['status'],
    executionId: result.executionId,
    ...(result.output !== undefined ? { output: result.output } : {}),
    ...(result.waits !== undefined ? { waits: result.waits.map((wait) => wait.name) } : {}),
    ...(result.error !== undefined ? { error: errorOf(result.error) } : {}),
  };
}

function errorOf(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
