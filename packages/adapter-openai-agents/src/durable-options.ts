import type { Runtime } from '@keel/core';
import type { CallKind, CallPolicyOptions, CallRetryPolicy, CaptureOptions, RetryOption, ToolPolicy } from '@keel/core/adapter';
import type { RunConfig } from '@openai/agents';

// The call options are core's (`@keel/core/adapter`): the same names mean the same things whichever
// harness an agent is written with.
export type { CallKind, CallRetryPolicy, CaptureOptions, RetryOption, ToolPolicy };

/**
 * How calls are grouped into checkpoints.
 * - `calls` (default): every model request, tool call and MCP call is a checkpoint of the flow (or of
 *   the checkpoint the run is called in).
 * - `turn`: one checkpoint per agent run, named after the agent, with the calls as its children. Calls
 *   of concurrent runs in one flow then never share a scope.
 */
export type Granularity = 'calls' | 'turn';

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
export interface DurableAgentOptions extends CallPolicyOptions {
  /** See {@link Granularity} (default `calls`). */
  readonly granularity?: Granularity;
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
