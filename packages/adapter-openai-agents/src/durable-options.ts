import type { Backoff, CaptureLevel, Delivery, Runtime } from '@keel/core';
import type { RunConfig } from '@openai/agents';

// The option shapes follow the other Keel adapters (`@keel/adapter-vercel-ai`): the same names mean
// the same things whichever harness an agent is written with.

/**
 * How calls are grouped into checkpoints.
 * - `calls` (default): every model request, tool call and MCP call is a checkpoint of the flow (or of
 *   the checkpoint the run is called in).
 * - `turn`: one checkpoint per agent run, named after the agent, with the calls as its children. Calls
 *   of concurrent runs in one flow then never share a scope.
 */
export type Granularity = 'calls' | 'turn';

/** The kinds of calls the adapter records. */
export type CallKind = 'model' | 'tool' | 'mcp';

/** How often a kind of call is attempted, and for how long. Maps onto core's checkpoint options. */
export interface CallRetryPolicy {
  /** Extra attempts after a failure (default 0). Streamed model requests are never retried. */
  readonly retries?: number;
  /** Delay between attempts (default: core's exponential backoff from 500 ms). */
  readonly backoff?: Backoff;
  /** Which errors are worth another attempt (default: all but Keel's own non-retryable errors). */
  readonly retryOn?: (error: unknown) => boolean;
  /** Abort an attempt after this many ms. */
  readonly timeout?: number;
}

/** A retry policy: a number of extra attempts, or the full policy. */
export type RetryOption = number | CallRetryPolicy;

/**
 * What is recorded of each call beyond what replay needs (the outputs, always stored):
 * `full` keeps the request (model input, tool arguments) as the record's input plus metadata,
 * `metadata` keeps the metadata only (model id, token usage, call id, agent), `none` neither.
 * The runtime's own capture policy (`createRuntime({ capture })`) applies on top.
 */
export interface CaptureOptions {
  /** Model requests (default `full`). */
  readonly model?: CaptureLevel;
  /** Function tool calls, agents used as tools included (default `full`). */
  readonly tool?: CaptureLevel;
  /** MCP tool calls (default `full`). */
  readonly mcp?: CaptureLevel;
  /** Rewrites a captured input before it is stored (drop secrets, personal data …). */
  readonly redact?: (value: unknown, call: { readonly name: string; readonly kind: CallKind }) => unknown;
}

/** How one tool is made durable. */
export interface ToolPolicy {
  /** `false`: the tool is not recorded and runs again on every resume and replay (default `true`). */
  readonly durable?: boolean;
  /**
   * `at-most-once`: if a crash interrupts the call, it is not run again by itself; the execution waits
   * for a decision (`rerun` or `fail`) on the wait `<tool>#decision` instead. Default `at-least-once`.
   */
  readonly delivery?: Delivery;
  /** What is recorded of this tool's calls (overrides `capture.tool` / `capture.mcp`). */
  readonly capture?: CaptureLevel;
  /** Retries of this tool (overrides `retries.tool` / `retries.mcp`). */
  readonly retries?: RetryOption;
  /** The record's kind (default: `mcp` for tools of the agent's MCP servers, else `tool`). */
  readonly kind?: 'tool' | 'mcp';
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

/** The run a `key` function names. */
export interface RunIdentity {
  /** The run's input: a message, input items, or `{ runState }` (a serialized `RunState`). */
  readonly input: unknown;
}

/** Options of {@link durable}. */
export interface DurableAgentOptions {
  /** See {@link Granularity} (default `calls`). */
  readonly granularity?: Granularity;
  /** What is recorded beyond what replay needs (default: everything). */
  readonly capture?: CaptureOptions;
  /** Retries per kind of call (default none). */
  readonly retries?: { readonly model?: RetryOption; readonly tool?: RetryOption; readonly mcp?: RetryOption };
  /** Per-tool policies, by tool name (function tools, agents as tools and MCP tools alike). */
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
   * The name of the run's checkpoint with `granularity: 'turn'`, and of the flow a run opens outside
   * one. Default: the agent's name.
   */
  readonly name?: string;
  /**
   * Outside a flow: the identity of the execution a run opens. A later run with the same key (a re-run
   * of the script) continues the unfinished execution. Default: the name plus the run's input. A
   * run's own `key` option takes precedence.
   */
  readonly key?: string | ((run: RunIdentity) => string);
  /**
   * Outside a flow: the runtime that records the run (default: Keel's default runtime, set up with
   * `configure()` or `KEEL_STORE`).
   */
  readonly runtime?: Runtime;
}

/** Per-run options that only matter outside a flow. */
export interface OutsideFlowOptions {
  /** The identity of this run outside a flow (see {@link DurableAgentOptions.key}). */
  readonly key?: string;
}
