import { metrics, type Attributes, type BatchObservableResult, type ObservableGauge } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ExecutionRecord, Store } from '@keel/core';

/** What a scrape of the store found, per flow. */
interface StoreGauges {
  readonly executions: ObservableGauge;
  readonly queueDepth: ObservableGauge;
  readonly queueAge: ObservableGauge;
  readonly waitsOpen: ObservableGauge;
  readonly waitsAge: ObservableGauge;
}

/**
 * The metrics of a Keel process (`keel serve`, `keel worker`) in the Prometheus text format, built on
 * the OpenTelemetry metrics SDK and its Prometheus exporter (a kept library: the same instruments
 * reach any OTLP backend when the user registers their own meter provider instead).
 *
 * Two sources: the runner's own instruments in `@keel/core` (sessions, checkpoints executed or
 * reused, checkpoint durations, model tokens, leases lost, recoveries), which record into the global
 * meter provider this registers; and gauges read from the store at each scrape (executions by flow
 * and status, queue depth and age, open waits and their age), so any process over the same store
 * reports the same state.
 */
export class KeelMetrics {
  readonly #reader = new PrometheusExporter({ preventServerStart: true });
  readonly #serializer = new PrometheusSerializer();
  readonly #provider: MeterProvider;
  /** Whether this registered the global meter provider (and so unregisters it on shutdown). */
  readonly #global: boolean;

  constructor(store: () => Promise<Store>) {
    this.#provider = new MeterProvider({ readers: [this.#reader] });
    // A meter provider the application registered first keeps the runner's instruments; this one
    // then reports the store's gauges only.
    this.#global = metrics.setGlobalMeterProvider(this.#provider);
    const meter = this.#provider.getMeter('@keel/server');
    const gauges: StoreGauges = {
      executions: meter.createObservableGauge('keel.executions', { description: 'Executions in the store, by flow and status.' }),
      queueDepth: meter.createObservableGauge('keel.queue.depth', { description: 'Queued executions waiting for a worker, by flow.' }),
      queueAge: meter.createObservableGauge('keel.queue.age', { description: 'Age of the oldest queued execution, by flow.', unit: 's' }),
      waitsOpen: meter.createObservableGauge('keel.waits.open', { description: 'Pending waits (human or service input not yet given), by flow.' }),
      waitsAge: meter.createObservableGauge('keel.waits.age', { description: 'Age of the oldest pending wait, by flow.', unit: 's' }),
    };
    meter.addBatchObservableCallback((result) => observeStore(result, gauges, store), Object.values(gauges));
  }

  /** The current metrics in the Prometheus text exposition format (what `/metrics` serves). */
  async text(): Promise<string> {
    const { resourceMetrics } = await this.#reader.collect();
    return this.#serializer.serialize(resourceMetrics);
  }

  /** Stops collecting, and gives back the global meter provider if this registered it. */
  async shutdown(): Promise<void> {
    if (this.#global) metrics.disable();
    await this.#provider.shutdown();
  }
}

/** The content type of the Prometheus text format. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

async function observeStore(result: BatchObservableResult, gauges: StoreGauges, openStore: () => Promise<Store>): Promise<void> {
  const store = await openStore();
  const now = Date.now();
  const executions = await store.listExecutions();
  const counts = new Map<string, { attributes: Attributes; count: number }>();
  const oldestQueued = new Map<string, number>();
  const queued = new Map<string, number>();
  for (const execution of executions) {
    const key = `${execution.flow}\u0000${execution.status}`;
    const entry = counts.get(key) ?? { attributes: { flow: execution.flow, status: execution.status }, count: 0 };
    entry.count++;
    counts.set(key, entry);
    if (execution.status === 'queued') {
      queued.set(execution.flow, (queued.get(execution.flow) ?? 0) + 1);
      oldestQueued.set(execution.flow, Math.min(oldestQueued.get(execution.flow) ?? now, execution.createdAt));
    }
  }
  for (const { attributes, count } of counts.values()) result.observe(gauges.executions, count, attributes);
  for (const [flow, count] of queued) result.observe(gauges.queueDepth, count, { flow });
  for (const [flow, createdAt] of oldestQueued) result.observe(gauges.queueAge, (now - createdAt) / 1000, { flow });
  const waits = await pendingWaits(
    store,
    executions.filter((execution) => execution.status === 'waiting'),
  );
  for (const [flow, { count, oldest }] of waits) {
    result.observe(gauges.waitsOpen, count, { flow });
    result.observe(gauges.waitsAge, (now - oldest) / 1000, { flow });
  }
}

async function pendingWaits(store: Store, waiting: readonly ExecutionRecord[]): Promise<Map<string, { count: number; oldest: number }>> {
  const byFlow = new Map<string, { count: number; oldest: number }>();
  for (const execution of waiting) {
    for (const wait of await store.listWaits(execution.id, { status: 'pending' })) {
      const entry = byFlow.get(execution.flow) ?? { count: 0, oldest: wait.createdAt };
      byFlow.set(execution.flow, { count: entry.count + 1, oldest: Math.min(entry.oldest, wait.createdAt) });
    }
  }
  return byFlow;
}
