import type { CaptureLevel, CheckpointOptions } from '@keel/core';
import type { ApprovalOptions, CapturedCall, DurableAgentOptions, Granularity, ToolPolicy } from './durable-options.js';

/** A durable agent's options, resolved into what each call needs. */
export class Settings {
  readonly granularity: Granularity;
  readonly approvals: ApprovalOptions;

  constructor(private readonly options: DurableAgentOptions) {
    this.granularity = options.granularity ?? 'calls';
    this.approvals = options.approvals ?? {};
  }

  /** The capture level of one call: by tool name, else by kind, else the default. */
  captureLevel(call: CapturedCall): CaptureLevel {
    const capture = this.options.capture;
    const byName = call.kind === 'model' ? undefined : capture?.tools?.[call.name];
    return byName ?? (call.kind === 'model' ? capture?.model : undefined) ?? capture?.default ?? 'full';
  }

  /** The checkpoint's captured input: the value at level `full` (redacted), else nothing. */
  capturedInput(call: CapturedCall, value: () => unknown): unknown {
    if (this.captureLevel(call) !== 'full') return undefined;
    const redact = this.options.capture?.redact;
    return redact ? redact(value(), call) : value();
  }

  /** Metadata at level `full` or `metadata`, else nothing. */
  metadata(call: CapturedCall, metadata: Record<string, unknown>): Record<string, unknown> | undefined {
    return this.captureLevel(call) === 'none' ? undefined : withoutUndefined(metadata);
  }

  /** Checkpoint options (retries, backoff, timeout, durability) for model requests. */
  modelCall(): CheckpointOptions {
    const policy = this.options.model ?? {};
    const retries = policy.retries ?? this.#retries('model');
    return policyOptions({ ...policy, retries }, this.options.backoff);
  }

  /** Checkpoint options (retries, backoff, timeout, durability, delivery) for one tool. */
  toolCall(name: string): CheckpointOptions {
    const policy: ToolPolicy = this.options.tools?.[name] ?? {};
    const retries = policy.retries ?? this.#retries('tools');
    return {
      ...policyOptions({ ...policy, retries }, this.options.backoff),
      ...(policy.delivery !== undefined ? { delivery: policy.delivery } : {}),
    };
  }

  /** Whether a tool was configured with an explicit `durable` flag. */
  toolDurability(name: string): boolean | undefined {
    return this.options.tools?.[name]?.durable;
  }

  #retries(kind: 'model' | 'tools'): number {
    const retries = this.options.retries;
    if (typeof retries === 'number') return retries;
    return retries?.[kind] ?? 0;
  }
}

function policyOptions(policy: ToolPolicy, backoff: DurableAgentOptions['backoff']): CheckpointOptions {
  const chosenBackoff = policy.backoff ?? backoff;
  return {
    ...(policy.retries ? { retries: policy.retries } : {}),
    ...(chosenBackoff !== undefined ? { backoff: chosenBackoff } : {}),
    ...(policy.retryOn !== undefined ? { retryOn: policy.retryOn } : {}),
    ...(policy.timeout !== undefined ? { timeout: policy.timeout } : {}),
    ...(policy.durable !== undefined ? { durable: policy.durable } : {}),
  };
}

function withoutUndefined(metadata: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) if (value !== undefined) result[key] = value;
  return result;
}
