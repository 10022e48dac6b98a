import type { CheckpointKind, Delivery } from '../store/records.js';
import { resolveCapture } from '../runtime/capture.js';
import type { Backoff, CaptureLevel, CapturePolicy, CheckpointOptions } from '../runtime/types.js';

/** The kinds of calls adapters record. */
export type CallKind = 'model' | 'tool' | 'mcp';

/** How often a kind of call is attempted, and for how long. Maps onto core's checkpoint options. */
export interface CallRetryPolicy {
  /** Extra attempts after a failure (default 0: the harnesses retry model calls themselves). */
  readonly retries?: number;
  /** Delay between attempts (default: core's exponential backoff from 500 ms). */
  readonly backoff?: Backoff;
  /** Which errors are worth another attempt (default: all but Keel's own non-retryable errors). */
  readonly retryOn?: (error: unknown) => boolean;
  /** Abort an attempt after this many ms (it fails with `CheckpointTimeoutError`). */
  readonly timeout?: number;
}

/** A retry policy: a number of extra attempts, or the full policy. */
export type RetryOption = number | CallRetryPolicy;

/**
 * What an adapter records of each call beyond what replay needs (the outputs, always stored):
 * `full` keeps the request (prompt, tool arguments) as the record's input plus its metadata,
 * `metadata` keeps the metadata only (model id, token usage, call id), `none` neither. The
 * runtime's own capture policy (`createRuntime({ capture })`) applies on top.
 */
export interface CaptureOptions {
  /** Model requests (default `full`). */
  readonly model?: CaptureLevel;
  /** Function tool calls (default `full`). */
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
   * `at-most-once`: a call interrupted by a crash is not run again by itself; the execution waits for
   * a decision (`rerun` or `fail`) instead (default `at-least-once`).
   */
  readonly delivery?: Delivery;
  /** What is recorded of this tool's calls (overrides `capture.tool` / `capture.mcp`). */
  readonly capture?: CaptureLevel;
  /** Retries of this tool (overrides `retries.tool` / `retries.mcp`). */
  readonly retries?: RetryOption;
  /** The record's kind (default: `mcp` for tools the adapter recognizes as MCP tools, else `tool`). */
  readonly kind?: 'tool' | 'mcp';
}

/** The call options every adapter takes: capture, retries per kind of call, per-tool policies. */
export interface CallPolicyOptions {
  /** What is recorded beyond what replay needs (default: everything). */
  readonly capture?: CaptureOptions;
  /** Retries per kind of call (default none). */
  readonly retries?: { readonly model?: RetryOption; readonly tool?: RetryOption; readonly mcp?: RetryOption };
  /** Per-tool policies, by tool name. */
  readonly tools?: Readonly<Record<string, ToolPolicy>>;
}

/** The retry checkpoint options a {@link RetryOption} stands for (only the ones given). */
export function retryOptions(option: RetryOption | undefined): Pick<CheckpointOptions, 'retries' | 'backoff' | 'retryOn' | 'timeout'> {
  if (option === undefined) return {};
  const policy = typeof option === 'number' ? { retries: option } : option;
  return {
    ...(policy.retries !== undefined ? { retries: policy.retries } : {}),
    ...(policy.backoff !== undefined ? { backoff: policy.backoff } : {}),
    ...(policy.retryOn !== undefined ? { retryOn: policy.retryOn } : {}),
    ...(policy.timeout !== undefined ? { timeout: policy.timeout } : {}),
  };
}

/**
 * An adapter's {@link CallPolicyOptions} resolved per call. Capture levels resolve as core's
 * {@link CapturePolicy} does — by name (a tool's own `capture`), else by kind, else `full` — so the
 * adapters' options are one more layer of the same policy, not a second vocabulary.
 */
export class CallPolicy {
  readonly #capture: CapturePolicy;

  constructor(readonly options: CallPolicyOptions = {}) {
    const names: Record<string, CaptureLevel> = {};
    for (const [name, policy] of Object.entries(options.tools ?? {})) if (policy.capture !== undefined) names[name] = policy.capture;
    const { model, tool, mcp } = options.capture ?? {};
    const kinds: Partial<Record<CheckpointKind, CaptureLevel>> = {
      ...(model !== undefined ? { model } : {}),
      ...(tool !== undefined ? { tool } : {}),
      ...(mcp !== undefined ? { mcp } : {}),
    };
    this.#capture = { kinds, names };
  }

  /** The policy of one tool (empty when none was given). */
  tool(name: string): ToolPolicy {
    return this.options.tools?.[name] ?? {};
  }

  /** The capture level of a call: the tool's own, else its kind's, else `full`. Model calls have no per-name level. */
  captureLevel(kind: CallKind, name: string): CaptureLevel {
    return resolveCapture(this.#capture, kind === 'model' ? '' : name, kind).level;
  }

  /** The call's captured input: the (redacted) value at level `full`, else `undefined`. */
  capturedInput(kind: CallKind, name: string, value: () => unknown): unknown {
    if (this.captureLevel(kind, name) !== 'full') return undefined;
    const redact = this.options.capture?.redact;
    return redact ? redact(value(), { name, kind }) : value();
  }

  /**
   * The checkpoint options that capture `input` and `metadata` per the policy: `full` keeps both,
   * `metadata` the metadata only, `none` neither (outputs are stored regardless: replay needs them).
   */
  captured(kind: CallKind, name: string, input: unknown, metadata: Record<string, unknown>): Pick<CheckpointOptions, 'input' | 'metadata'> {
    const level = this.captureLevel(kind, name);
    if (level === 'none') return {};
    if (level === 'metadata') return { metadata };
    return { metadata, input: this.capturedInput(kind, name, () => input) };
  }

  /** Whether metadata (model id, usage, finish reason) is added to a call's record. */
  recordsMetadata(kind: CallKind, name: string): boolean {
    return this.captureLevel(kind, name) !== 'none';
  }

  /** Retries, backoff and timeout of a call: the tool's own, else its kind's. */
  retries(kind: CallKind, name: string): Pick<CheckpointOptions, 'retries' | 'backoff' | 'retryOn' | 'timeout'> {
    const own = kind === 'model' ? undefined : this.tool(name).retries;
    return retryOptions(own ?? this.options.retries?.[kind]);
  }
}
