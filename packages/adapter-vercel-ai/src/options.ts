import type { Backoff, CaptureLevel, Delivery, Runtime } from '@keel/core';

/** How often a kind of call is attempted, and for how long. Maps onto core's checkpoint options. */
export interface CallRetryPolicy {
  /** Extra attempts after a failure (default 0: the SDK already retries model calls itself). */
  readonly retries?: number;
  /** Delay between attempts. */
  readonly backoff?: Backoff;
  /** Which errors are worth another attempt. */
  readonly retryOn?: (error: unknown) => boolean;
  /** Abort an attempt after this many ms. */
  readonly timeout?: number;
}

/** A retry policy: a number of extra attempts, or the full policy. */
export type RetryOption = number | CallRetryPolicy;

/** What is recorded of each call beyond what replay needs. */
export interface CaptureOptions {
  /** Model requests: `full` keeps the prompt, tools and settings as the record's input (default `full`). */
  readonly model?: CaptureLevel;
  /** Tool calls: `full` keeps the arguments (default `full`). */
  readonly tool?: CaptureLevel;
  /** MCP tool calls: `full` keeps the arguments (default `full`). */
  readonly mcp?: CaptureLevel;
  /**
   * Rewrites a captured input before it is stored (drop secrets, personal data). Runs before core's
   * own runtime-level redaction, which still applies.
   */
  readonly redact?: (value: unknown, call: { readonly name: string; readonly kind: 'model' | 'tool' | 'mcp' }) => unknown;
}

/** How one tool is made durable. */
export interface ToolPolicy {
  /** `false`: the tool is not recorded and runs again on every resume and replay (default `true`). */
  readonly durable?: boolean;
  /**
   * `at-most-once`: a call interrupted by a crash is not run again by itself; the execution waits for
   * a decision (`rerun` or `fail`) instead (default `at-least-once`).
   */
  readonly delivery?: Delivery;
  /** What is recorded of this tool's calls (overrides `capture.tool` / `capture.mcp`). */
  readonly capture?: CaptureLevel;
  /** Retries of this tool (overrides `retries.tool` / `retries.mcp`). */
  readonly retries?: RetryOption;
  /** The record's kind; MCP tools from `@ai-sdk/mcp` are detected as `mcp`, everything else is `tool`. */
  readonly kind?: 'tool' | 'mcp';
}

/** Options of {@link durableTools} and {@link durableModel} (the pieces). */
export interface DurablePiecesOptions {
  /** What is recorded beyond what replay needs. */
  readonly capture?: CaptureOptions;
  /** Retries per kind of call. */
  readonly retries?: { readonly model?: RetryOption; readonly tool?: RetryOption; readonly mcp?: RetryOption };
  /** Per-tool policies, by tool name. */
  readonly tools?: Readonly<Record<string, ToolPolicy>>;
}

/** Options of {@link durable}. */
export interface DurableAgentOptions extends DurablePiecesOptions {
  /**
   * `calls` (default): every model request and tool call is a checkpoint; a resumed run goes through
   * the agent loop again and gets each finished call from its record. `turn`: the whole `generate()`
   * is also one checkpoint whose output is the result, so a finished run is returned from one record
   * (its calls stay as child records, reused when the run was interrupted).
   */
  readonly granularity?: 'calls' | 'turn';
  /**
   * The name of the agent run's checkpoint (and of the flow a run opens outside one). Default: the
   * agent's `id`, else `agent`.
   */
  readonly name?: string;
  /**
   * Outside a flow: the identity of the execution a call opens. A later call with the same key (a
   * re-run of the script) continues the unfinished execution. Default: the name plus the call's
   * prompt, messages and options.
   */
  readonly key?: string | ((call: Readonly<Record<string, unknown>>) => string);
  /** Outside a flow: the runtime to run in (default: core's default runtime, see `configure`). */
  readonly runtime?: Runtime;
}

/** The core checkpoint options a retry option stands for. */
export function retryOptions(option: RetryOption | undefined): CallRetryPolicy {
  if (option === undefined) return {};
  return typeof option === 'number' ? { retries: option } : option;
}
