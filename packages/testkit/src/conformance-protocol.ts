/**
 * The protocol between `runAdapterConformance()` (in the test process) and an adapter's conformance
 * agent (a child process that calls `serveConformanceAgent()`). The suite passes one JSON argument and
 * reads stdout lines: `tool start <name> <argument>`, `tool done <name> <argument>`, `delta <json text>`
 * and, last, `result <json ConformanceOutcome>`.
 */

/** Which agent the conformance agent runs. */
export type ConformanceScenario =
  /** The model calls `lookup` twice (`alpha`, then `beta`), one call per turn, then answers: 3 model calls, 2 tool calls. */
  | 'tools'
  /** The model calls `publish`, a tool that needs a person's approval, then answers: 2 model calls, 1 tool call. */
  | 'approval'
  /**
   * A long tool loop: the model calls `lookup` once a turn, {@link longLoopSteps} times (`step 1`,
   * `step 2` …), each result ~1 KB (a search result's size), then answers: `longLoopSteps + 1` model calls.
   */
  | 'long-loop';

/** The tool calls of the `long-loop` scenario. */
export const longLoopSteps = 60;

/** The JSON argument of a conformance agent process. */
export interface ConformanceConfig {
  /**
   * `run` a new execution; `recover` what is owed (the execution a killed process left); `answer` a wait,
   * then recover; `replay` the execution `replayOf` (a new execution reusing its calls).
   */
  readonly mode: 'run' | 'recover' | 'answer' | 'replay';
  readonly scenario: ConformanceScenario;
  /** Drive the harness's streaming API and report text deltas. */
  readonly stream: boolean;
  /** The lowdb store folder. */
  readonly store: string;
  /** The fake LLM server: `http://127.0.0.1:PORT/v1`, and its origin (for `@anthropic-ai/sdk`). */
  readonly url: string;
  readonly origin: string;
  /** The model name to ask for. */
  readonly model: string;
  /** The user prompt the agent sends. Default {@link conformancePrompt}; the divergence proof changes it between processes. */
  readonly prompt?: string;
  /** With `mode: 'run'`: this `lookup` call blocks forever once started (a kill point inside a tool). */
  readonly hangInTool?: string;
  /** With `mode: 'run'`: the execution's spend budget (`run(input, { budget })`). */
  readonly budget?: { readonly tokens?: number; readonly usd?: number };
  /**
   * With `mode: 'run'`: when the run ends `waiting`, print the result and then hold, without closing
   * the store, until the suite kills the process (a crash while the execution waits).
   */
  readonly holdWhenWaiting?: boolean;
  /** With `mode: 'replay'`: the execution to replay. */
  readonly replayOf?: string;
  /** With `mode: 'answer'`: the execution, the wait and its input. */
  readonly answer?: { readonly executionId: string; readonly wait: string; readonly input: unknown };
  /** Adapter-specific settings passed through from `runAdapterConformance({ agentOptions })`. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** What a conformance agent process reports in its `result` line. */
export interface ConformanceOutcome {
  readonly status: 'completed' | 'waiting' | 'failed' | 'cancelled' | 'nothing-to-recover';
  readonly executionId?: string;
  readonly output?: unknown;
  /** Names of the pending waits. */
  readonly waits?: readonly string[];
  readonly error?: { readonly name: string; readonly message: string };
  /** How the execution's model requests are stored (the `long-loop` scenario, when the agent measures it). */
  readonly requestStorage?: ConformanceRequestStorage;
}

/** What an execution's captured model requests take in the store, as `requestStorage` of `@keel/core/adapter` measures it. */
export interface ConformanceRequestStorage {
  /** Model checkpoints with a captured request. */
  readonly requests: number;
  /** Bytes of every blob the requests need, each counted once. */
  readonly storedBytes: number;
  /** Bytes of the largest request whole: the unique conversation. */
  readonly conversationBytes: number;
  /** Bytes the requests would take each stored whole. */
  readonly wholeBytes: number;
}

/**
 * The token counts the fake model reports for every call: 120 tokens a call, so a budget proof knows
 * exactly when an execution reaches its budget.
 */
export const conformanceUsage = { inputTokens: 100, outputTokens: 20 } as const;

/** The prompt (the flow's input). */
export const conformancePrompt = 'Brief me on alpha and beta.';
/** The final answers the fake model gives. */
export const conformanceAnswers = {
  tools: 'Alpha and beta are both covered, with sources.',
  approved: 'Done: published.',
  longLoop: 'Every step is looked up.',
  refused: 'Done: not published.',
} as const;
