import { createNoopMeter, metrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { instrumentationName } from './trace-attributes.js';

/**
 * The instruments the runner records into, from the global meter provider of `@opentelemetry/api`
 * (with none registered the runner records nothing and skips the work of measuring). The metrics API has no proxy provider
 * (an instrument made before a provider is registered stays a no-op), so they are looked up per
 * session and kept per meter: a provider registered later (a worker's `/metrics`) gets them too.
 */
export interface RuntimeMetrics {
  /** Sessions that ended, by `flow`, `operation` and `status`. */
  readonly sessions: Counter;
  /** Checkpoints by `kind` and `outcome`: `executed` (ran live) or `reused` (returned from the store). */
  readonly checkpoints: Counter;
  /** Seconds a live checkpoint ran, by `kind` and `status`. */
  readonly checkpointDuration: Histogram;
  /** Model tokens spent on live calls, by `model` and `type` (`input` or `output`). */
  readonly modelTokens: Counter;
  /** Estimated US dollars of live model calls at list price, by `model` (calls of unknown price add nothing). */
  readonly modelCost: Counter;
  /** Sessions that stopped because another process took their lease, by `flow`. */
  readonly leasesLost: Counter;
  /** Executions a worker picked up (queued, abandoned or owed a resume), by `flow` and `found`. */
  readonly recoveries: Counter;
}

const byMeter = new WeakMap<Meter, RuntimeMetrics>();

/** The runner's instruments on the meter registered now, or `undefined` when no meter provider is registered. */
export function runtimeMetrics(): RuntimeMetrics | undefined {
  const meter = metrics.getMeter(instrumentationName);
  if (meter === createNoopMeter()) return undefined;
  let instruments = byMeter.get(meter);
  if (!instruments) {
    instruments = {
      sessions: meter.createCounter('keel.sessions', {
        description: 'Execution sessions (run, resume, retry, replay) that ended, by flow, operation and status.',
      }),
      checkpoints: meter.createCounter('keel.checkpoints', { description: 'Checkpoints by kind, executed live or reused from the store.' }),
      checkpointDuration: meter.createHistogram('keel.checkpoint.duration', {
        description: 'How long live checkpoints ran, by kind and status.',
        unit: 's',
        advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] },
      }),
      modelTokens: meter.createCounter('keel.model.tokens', { description: 'Tokens of live model calls, by model and type (input, output).' }),
      modelCost: meter.createCounter('keel.model.cost_usd', {
        description: 'Estimated cost of live model calls at list price, by model (unknown prices add nothing).',
        unit: 'usd',
      }),
      leasesLost: meter.createCounter('keel.leases.lost', { description: 'Sessions stopped because another process took the lease, by flow.' }),
      recoveries: meter.createCounter('keel.recoveries', {
        description: 'Executions picked up by recovery (queued, abandoned, owed a resume), by flow and found status.',
      }),
    };
    byMeter.set(meter, instruments);
  }
  return instruments;
}
