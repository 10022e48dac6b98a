import { CallPolicy, type CallKind } from '@keel/core/adapter';
import type { ApprovalOptions, DurableAgentOptions, Granularity } from './durable-options.js';

/**
 * A durable agent's options resolved per call: core's {@link CallPolicy} (capture, retries, per-tool
 * policies) plus what only this adapter has — granularity and approvals.
 */
export class Settings extends CallPolicy {
  readonly granularity: Granularity;
  readonly approvals: ApprovalOptions;

  constructor(options: DurableAgentOptions) {
    super(options);
    this.granularity = options.granularity ?? 'calls';
    this.approvals = options.approvals ?? {};
  }

  /** Metadata at level `full` or `metadata` (its `undefined` fields left out), else nothing. */
  metadata(kind: CallKind, name: string, metadata: Record<string, unknown>): Record<string, unknown> | undefined {
    if (!this.recordsMetadata(kind, name)) return undefined;
    return Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== undefined));
  }
}
