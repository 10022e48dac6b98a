import type { Backoff, CaptureLevel, Delivery, Runtime } from '@keel/core';
import type { RunConfig } from '@openai/agents';

/**
 * How calls are grouped into checkpoints.
 * - `calls` (default): every model request, tool call and MCP call is a checkpoint of the flow (or of
 *   the checkpoint the run is called in).
 * - `turn`: one checkpoint per agent run, named after the agent, with the calls as its children. Calls
 *   of concurrent runs in one flow then never share a scope.
 */
export type Granularity = 'calls' | 'turn';

/** What kind of call a capture rule or a redaction hook is looking at. */
export interface CapturedCall {
  /** The checkpoint name: `model`, or the tool's name. */
  readonly name: string;
  readonly kind: 'model' | 'tool' | 'mcp';
}

/**
 * What is recorded beyond what replay needs. Replay needs only the outputs, which are always stored
 * (unless a call opts out with `durable: false`).
 * - `full`: the request (model input, tool arguments) as the checkpoint's input, plus metadata.
 * - `metadata`: metadata only — model id, token usage, tool call id, agent name.
 * - `none`: nothing beyond the output.
 *
 * The runtime's own capture policy (`createRuntime({ capture })`) applies on top of this one.
 */
export interface CaptureOptions {
  /** The level for every call not matched below (default `full`). */
  readonly default?: CaptureLevel;
  /** The level for model requests. */
  readonly model?: CaptureLevel;
  /** The level per tool name (function tools, agents as tools and MCP tools alike). */
  readonly tools?: Readonly<Record<string, CaptureLevel>>;
  /** Rewrites a captured input before it is stored (drop secrets, personal data …). */
  readonly redact?: (value: unknown, call: CapturedCall) => unknown;
}

/** How attempts of one kind of call are retried and bounded. */
export interface CallPolicy {
  /** Extra attempts after a failure (default 0). Streamed model calls are never retried. */
  readonly retries?: number;
  /** Delay between attempts (default: core's exponential backoff from 500 ms). */
  readonly backoff?: Backoff;
  /** Which errors are worth another attempt (default: all but Keel's own non-retryable errors). */
  readonly retryOn?: (error: unknown) => boolean;
  /** Abort an attempt after this many ms. */
  readonly timeout?: number;
  /** `false`: the call is not recorded for reuse and runs again on every resume and replay. */
  readonly durable?: boolean;
}

/** Per-tool policy: a {@link CallPolicy} plus delivery. */
export interface ToolPolicy extends CallPolicy {
  /**
   * `at-most-once`: if a crash interrupts the call, it is not run again by itself; the execution waits
   * for a decision (`rerun` or `fail`) on the wait `<tool>#decision` instead. Default `at-least-once`.
   */
  readonly delivery?: Delivery;
}

/** How a tool approval (`needsApproval`) becomes a durable wait. */
export interface ApprovalOptions {
  /** The question shown with the wait (default: "Approve <agent> calling <tool>(<arguments>)?"). */
  readonly question?: (request: ApprovalRequest) => string;
  /** Give up after this many ms without a decision (the run then fails with core's `WaitTimeoutError`). */
  readonly timeout?: number;
}

/** What an approval wait is about. */
export interface ApprovalRequest {
  readonly agent: string;
  readonly tool: string;
  readonly callId: string | undefined;
  /** The raw JSON arguments the model gave. */
  readonly arguments: string | undefined;
}

/** Options of {@link durable}. */
export interface DurableAgentOptions {
  /** See {@link Granularity} (default `calls`). */
  readonly granularity?: Granularity;
  /** See {@link CaptureOptions} (default: capture everything). */
  readonly capture?: CaptureOptions;
  /** Retries for model requests and tool calls: a number for both, or per kind (default 0). */
  readonly retries?: number | { readonly model?: number; readonly tools?: number };
  /** Delay between retries (default: core's exponential backoff). */
  readonly backoff?: Backoff;
  /** Policy for model requests (overrides `retries` for them). */
  readonly model?: CallPolicy;
  /** Policy per tool name (overrides `retries` for that tool). */
  readonly tools?: Readonly<Record<string, ToolPolicy>>;
  /** How approvals become waits. */
  readonly approvals?: ApprovalOptions;
  /**
   * Configuration of the SDK `Runner` the agent runs with (model provider, model settings, guardrails,
   * tracing …). Its model provider — or the SDK's default one — is decorated so that every model
   * request is a checkpoint.
   */
  readonly runConfig?: Partial<RunConfig>;
  /**
   * Outside a flow: the flow name the run is recorded under (default: the agent's name).
   */
  readonly flowName?: string;
  /**
   * Outside a flow: the runtime that records the run (default: Keel's default runtime, set up with
   * `configure()` or `KEEL_STORE`).
   */
  readonly runtime?: Runtime;
}

/** Per-run options that only matter outside a flow. */
export interface OutsideFlowOptions {
  /**
   * The identity of the run outside a flow: a later `run()` with the same key continues the unfinished
   * execution (after a crash, or once a wait got its input). Default: the flow name plus the input.
   */
  readonly key?: string;
}
