import type { CaptureLevel } from '@keel/core';
import type { CheckpointOptions } from '@keel/core/adapter';
import type { ApprovalOptions, CallKind, DurableAgentOptions, Granularity, RetryOption, ToolPolicy } from './durable-options.js';

/** A durable agent's options, resolved into what each call's checkpoint records and how it retries. */
export class Settings {
  readonly granularity: Granularity;
  readonly approvals: ApprovalOptions;

  constructor(private readonly options: DurableAgentOptions) {
    this.granularity = options.granularity ?? 'calls';
    this.approvals = options.approvals ?? {};
  }

  /** The policy of one tool (empty when none was given). */
  tool(name: string): ToolPolicy {
    return this.options.tools?.[name] ?? {};
  }

  /** The capture level of a call: the tool's own, else its kind's, else `full`. */
  captureLevel(kind: CallKind, name: string): CaptureLevel {
    const own = kind === 'model' ? undefined : this.tool(name).capture;
    return own ?? this.options.capture?.[kind] ?? 'full';
  }

  /** The checkpoint's captured input: the (redacted) value at level `full`, else nothing. */
  capturedInput(kind: CallKind, name: string, value: () => unknown): unknown {
    if (this.captureLevel(kind, name) !== 'full') return undefined;
    const redact = this.options.capture?.redact;
    return redact ? redact(value(), { name, kind }) : value();
  }

  /** Metadata at level `full` or `metadata`, else nothing. */
  metadata(kind: CallKind, name: string, metadata: Record<string, unknown>): Record<string, unknown> | undefined {
    return this.captureLevel(kind, name) === 'none' ? undefined : withoutUndefined(metadata);
  }

  /** Retries, backoff and timeout of a call: the tool's own, else its kind's. */
  retries(kind: CallKind, name: string): Pick<CheckpointOptions, 'retries' | 'backoff' | 'retryOn' | 'timeout'> {
    const own = kind === 'model' ? undefined : this.tool(name).retries;
    const policy = retryPolicy(own ?? this.options.retries?.[kind]);
    return {
      ...(policy.retries !== undefined ? { retries: policy.retries } : {}),
      ...(policy.backoff !== undefined ? { backoff: policy.backoff } : {}),
      ...(policy.retryOn !== undefined ? { retryOn: policy.retryOn } : {}),
      ...(policy.timeout !== undefined ? { timeout: policy.timeout } : {}),
    };
  }
}

function retryPolicy(option: RetryOption | undefined) {
  if (option === undefined) return {};
  return typeof option === 'number' ? { retries: option } : option;
}

function withoutUndefined(metadata: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) if (value !== undefined) result[key] = value;
  return result;
}
