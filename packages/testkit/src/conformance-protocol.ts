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
  | 'approval';

/** The JSON argument of a conformance agent process. */
export interface ConformanceConfig {
  /** `run` a new execution; `recover` what is owed (the execution a killed process left); `answer` a wait, then recover. */
  readonly mode: 'run' | 'recover' | 'answer';
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
  refused: 'Done: not published.',
} as const;
