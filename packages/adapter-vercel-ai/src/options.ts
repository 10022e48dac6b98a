import type { Runtime } from '@keel/core';
import type { CallPolicyOptions, CallRetryPolicy, CaptureOptions, RetryOption, ToolPolicy } from '@keel/core/adapter';

// The call options are core's (`@keel/core/adapter`), the same for every Keel adapter.
export type { CallRetryPolicy, CaptureOptions, RetryOption, ToolPolicy };

/** Options of {@link durableTools} and {@link durableModel} (the pieces): capture, retries per kind, per-tool policies. */
export type DurablePiecesOptions = CallPolicyOptions;

/** Options of {@link durable}. */
export interface DurableAgentOptions extends CallPolicyOptions {
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
