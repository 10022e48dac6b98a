import type { CaptureLevel, Delivery, Runtime } from '@keel/core';
import type { CallRetryPolicy } from '@keel/core/adapter';

/**
 * How finely a graph run is made durable.
 * - `calls` (default): every model call and tool call is a checkpoint; a node re-run after a crash
 *   or an `interrupt()` gets each completed call back from the store.
 * - `turn`: the graph run is the unit. Calls are still recorded (as child records, for the history),
 *   but not reused: a node re-run makes its calls again, as plain LangGraph would; a finished run is
 *   reused whole when its flow runs again.
 */
export type Granularity = 'calls' | 'turn';

/**
 * Options every durable call wrapper takes (model calls, tool calls): core's retry policy (`retries`
 * — Keel's own attempts on top of the client's —, `backoff`, `retryOn`, `timeout`), capture and
 * durability.
 */
export interface CallOptions extends CallRetryPolicy {
  /**
   * What a call's record captures beyond what replay needs (default `full`):
   * `full` — its input (the prompt messages, the tool arguments) and its metadata;
   * `metadata` — the model id, token usage, tool name, but not the input;
   * `none` — nothing beyond the result replay needs.
   * The runtime's capture policy (`createRuntime({ capture })`) applies on top: redaction, per-kind levels.
   */
  readonly capture?: CaptureLevel;
  /** `false`: record the call but never reuse it; it runs again on every resume and replay (default `true`). */
  readonly durable?: boolean;
}

/** Options of `durableChatModel`. */
export interface DurableChatModelOptions extends CallOptions {
  /** The checkpoint name of the model's calls (default `model`). */
  readonly name?: string;
}

/** Options of one durable tool. */
export interface ToolCallOptions extends CallOptions {
  /**
   * `at-most-once`: a call interrupted by a crash is not run again by itself; the execution waits for
   * a decision (`rerun` or `fail`) instead (default `at-least-once`). For tools whose effect must not
   * happen twice (payments, e-mails) and that have no idempotency key of their own.
   */
  readonly delivery?: Delivery;
  /** The record kind (default `mcp` for tools from `@langchain/mcp-adapters`, else `tool`). */
  readonly kind?: 'tool' | 'mcp';
}

/** Options of `durableTools`: defaults for every tool, and per-tool overrides by tool name. */
export interface DurableToolsOptions extends ToolCallOptions {
  /** Overrides for single tools, by name, e.g. `{ send_email: { delivery: 'at-most-once' } }`. */
  readonly tools?: Readonly<Record<string, ToolCallOptions>>;
}

/** Options of `durableGraph`. */
export interface DurableGraphOptions {
  /** The runtime to run on (default: the default runtime, see `configure()`). */
  readonly runtime?: Runtime;
  /** The flow name's suffix: executions are of flow `langgraph:<name>` (default: the graph's name). */
  readonly name?: string;
  /** See {@link Granularity} (default `calls`). */
  readonly granularity?: Granularity;
  /** Give up on an `interrupt()` that gets no answer for this many ms (its wait times out and the run fails). */
  readonly interruptTimeout?: number;
}
