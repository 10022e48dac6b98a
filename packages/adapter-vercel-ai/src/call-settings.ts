import type { CaptureLevel } from '@keel/core';
import type { CheckpointOptions } from '@keel/core/adapter';
import { retryOptions, type DurablePiecesOptions, type ToolPolicy } from './options.js';

type CallKind = 'model' | 'tool' | 'mcp';

/** The adapter's options resolved per call: what each checkpoint records and how it retries. */
export class CallSettings {
  constructor(readonly options: DurablePiecesOptions = {}) {}

  /** The policy of one tool (empty when none was given). */
  tool(name: string): ToolPolicy {
    return this.options.tools?.[name] ?? {};
  }

  /** The capture level of a call: the tool's own, else its kind's, else `full`. */
  captureLevel(kind: CallKind, name: string): CaptureLevel {
    const own = kind === 'model' ? undefined : this.tool(name).capture;
    return own ?? this.options.capture?.[kind] ?? 'full';
  }

  /**
   * The checkpoint options that capture `input` and `metadata` per the policy: `full` keeps both,
   * `metadata` keeps the metadata only, `none` keeps neither (outputs are stored regardless: replay
   * needs them).
   */
  captured(kind: CallKind, name: string, input: unknown, metadata: Record<string, unknown>): Pick<CheckpointOptions, 'input' | 'metadata'> {
    const level = this.captureLevel(kind, name);
    if (level === 'none') return {};
    if (level === 'metadata') return { metadata };
    const redact = this.options.capture?.redact;
    return { metadata, input: redact ? redact(input, { name, kind }) : input };
  }

  /** Whether usage and finish reasons are added to a call's record. */
  recordsMetadata(kind: CallKind, name: string): boolean {
    return this.captureLevel(kind, name) !== 'none';
  }

  /** Retries, backoff and timeout of a call: the tool's own, else its kind's. */
  retries(kind: CallKind, name: string): Pick<CheckpointOptions, 'retries' | 'backoff' | 'retryOn' | 'timeout'> {
    const own = kind === 'model' ? undefined : this.tool(name).retries;
    const policy = retryOptions(own ?? this.options.retries?.[kind]);
    return {
      ...(policy.retries !== undefined ? { retries: policy.retries } : {}),
      ...(policy.backoff !== undefined ? { backoff: policy.backoff } : {}),
      ...(policy.retryOn !== undefined ? { retryOn: policy.retryOn } : {}),
      ...(policy.timeout !== undefined ? { timeout: policy.timeout } : {}),
    };
  }
}
