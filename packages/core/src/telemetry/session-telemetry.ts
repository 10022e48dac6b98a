import { context, isSpanContextValid, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { CheckpointRecord, ExecutionPatch, ExecutionRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { Call } from '../runtime/call.js';
import { modelUsageOf, type ModelCall } from '../runtime/model-usage.js';
import { recordedCost } from '../runtime/model-cost.js';
import { runtimeMetrics, type RuntimeMetrics } from './runtime-metrics.js';
import { fromTraceParent, toTraceParent } from './trace-parent.js';
import { instrumentationName, traceAttributes as keys, traceParentKey } from './trace-attributes.js';

/** What a session is to the execution: its first run, a resume, a retry, or the first run of a replay. */
export type SessionOperation = 'run' | 'resume' | 'retry' | 'replay';

/** How a session ended, as its span and the `keel.sessions` counter say. */
export type SessionEnd = 'completed' | 'failed' | 'waiting' | 'cancelled' | 'lease-lost';

/**
 * The spans and metrics of one session: a span for the session, one per checkpoint nested like the
 * checkpoint tree, and the checkpoint's context active while its function runs, so the spans a
 * harness makes for the call (and HTTP instrumentation below it) are its children.
 *
 * Everything goes through `@opentelemetry/api`: with no tracer provider registered the spans are
 * the API's non-recording spans, no attribute is computed and no context is entered.
 */
export class SessionTelemetry {
  /** Looked up per session, not once per process: a provider registered (or replaced) later is honoured. */
  readonly #tracer: Tracer;
  readonly #span: Span;
  readonly #context: Context;
  readonly #metrics: RuntimeMetrics | undefined;
  /** Nothing records spans or metrics: checkpoints open no span and measure nothing. */
  readonly #quiet: boolean;
  readonly #flow: string;
  readonly #operation: SessionOperation;
  readonly #codeVersion: string | undefined;
  /** Spans opened and not yet ended: live checkpoints (by their call) and waits. */
  readonly #open = new Map<object, { span: Span; context: Context; startedAt: number }>();

  constructor(execution: ExecutionRecord, operation: SessionOperation, codeVersion: string | undefined) {
    this.#flow = execution.flow;
    this.#operation = operation;
    this.#codeVersion = codeVersion;
    this.#metrics = runtimeMetrics();
    this.#tracer = trace.getTracer(instrumentationName);
    this.#span = this.#tracer.startSpan(`keel.${operation} ${execution.flow}`);
    this.#context = trace.setSpan(context.active(), this.#span);
    this.#quiet = !this.#entered(this.#span) && this.#metrics === undefined;
    if (this.#span.isRecording()) {
      this.#span.setAttributes({
        [keys.executionId]: execution.id,
        [keys.flow]: execution.flow,
        [keys.operation]: operation,
        [keys.session]: execution.sessions,
        ...(codeVersion !== undefined ? { [keys.codeVersion]: codeVersion } : {}),
        ...(execution.replayOf ? { [keys.replayOf]: execution.replayOf.executionId } : {}),
      });
    }
  }

  /** Whether a tracer provider records this session (with none, tracing costs nothing). */
  get recording(): boolean {
    return this.#span.isRecording();
  }

  /**
   * Links this session's span to the span of the session it continues (a resume or retry) or of the
   * execution it replays, and leaves this span's `traceparent` in the execution's metadata for the
   * next session. Runs only when the span records.
   */
  async connect(store: Store, execution: ExecutionRecord, update: (patch: ExecutionPatch) => Promise<void>): Promise<void> {
    if (!this.recording) return;
    const previous = fromTraceParent(execution.metadata?.[traceParentKey]);
    if (previous) this.#span.addLink({ context: previous, attributes: { 'keel.link': 'continues' } });
    if (execution.replayOf) {
      const original = await store.getExecution(execution.replayOf.executionId);
      const replayed = fromTraceParent(original?.metadata?.[traceParentKey]);
      if (replayed) this.#span.addLink({ context: replayed, attributes: { 'keel.link': 'replays' } });
    }
    await update({ metadata: { ...execution.metadata, [traceParentKey]: toTraceParent(this.#span.spanContext()) } });
  }

  /** Runs the flow body with the session's span as the active span. */
  activate<T>(fn: () => T): T {
    return this.#entered(this.#span) ? context.with(this.#context, fn) : fn();
  }

  /** Opens the span of a checkpoint that runs live, under its parent checkpoint's span (or the session's). */
  checkpointStarted(call: Call): void {
    if (this.#quiet) return;
    const span = this.#tracer.startSpan(`keel.${call.record.kind} ${call.record.name}`, undefined, this.#parentContext(call.parent));
    if (span.isRecording()) span.setAttributes(this.#checkpointAttributes(call.record));
    // A context is made only for a span worth entering (see #entered): making one copies the context's values.
    this.#open.set(call, { span, context: this.#entered(span) ? trace.setSpan(context.active(), span) : ROOT_CONTEXT, startedAt: Date.now() });
  }

  /** Runs a checkpoint's function with its span as the active span. */
  runInCheckpoint<T>(call: Call, fn: () => T): T {
    const opened = this.#open.get(call);
    return opened && this.#entered(opened.span) ? context.with(opened.context, fn) : fn();
  }

  /** Ends a live checkpoint's span with the record's final status, attempt and model usage. */
  checkpointEnded(call: Call, error?: unknown, status: string = call.record.status): void {
    const opened = this.#open.get(call);
    // Ended already: a call blocked at a wait was closed with the session and settled later.
    if (!opened) return;
    this.#open.delete(call);
    const { record } = call;
    // Timed from this session's start of the call: a record's `startedAt` may be an earlier session's.
    const seconds = ((record.endedAt ?? Date.now()) - opened.startedAt) / 1000;
    this.#metrics?.checkpoints.add(1, { kind: record.kind, outcome: 'executed' });
    this.#metrics?.checkpointDuration.record(seconds, { kind: record.kind, status });
    const usage = record.kind === 'model' ? modelUsageOf(record.metadata) : undefined;
    const model = usage?.model ?? 'unknown';
    if (usage?.inputTokens !== undefined) this.#metrics?.modelTokens.add(usage.inputTokens, { model, type: 'input' });
    if (usage?.outputTokens !== undefined) this.#metrics?.modelTokens.add(usage.outputTokens, { model, type: 'output' });
    const usd = record.kind === 'model' ? recordedCost(record.metadata)?.usd : undefined;
    if (typeof usd === 'number') this.#metrics?.modelCost.add(usd, { model });
    const { span } = opened;
    if (span.isRecording()) {
      span.setAttributes({ [keys.attempt]: record.attempts, [keys.checkpointStatus]: status, ...this.#modelAttributes(record, true) });
      if (error !== undefined) failSpan(span, error);
    }
    span.end();
  }

  /**
   * Traces a `wait()`: a span that ends when the input is there (recorded or new) or, when the
   * session suspends at it, with the session, marked `waiting`.
   */
  wait<T>(parent: Call | null, name: string, open: () => Promise<T>): Promise<T> {
    const span = this.#tracer.startSpan(`keel.wait ${name}`, undefined, this.#parentContext(parent));
    if (!span.isRecording()) return open();
    span.setAttributes({ [keys.flow]: this.#flow, [keys.checkpointName]: name, [keys.checkpointKind]: 'wait' });
    const key = {};
    this.#open.set(key, { span, context: trace.setSpan(context.active(), span), startedAt: Date.now() });
    return open().then(
      (value) => {
        this.#endWait(key, 'completed');
        return value;
      },
      (error: unknown) => {
        this.#endWait(key, 'failed', error);
        throw error;
      },
    );
  }

  #endWait(key: object, status: string, error?: unknown): void {
    const opened = this.#open.get(key);
    if (!opened) return;
    this.#open.delete(key);
    opened.span.setAttribute(keys.checkpointStatus, status);
    if (error !== undefined) failSpan(opened.span, error);
    opened.span.end();
  }

  /** A checkpoint answered from the store: a short span marked `keel.reused`, so the saving shows. */
  checkpointReused(parent: Call | null, record: CheckpointRecord): void {
    if (this.#quiet) return;
    this.#metrics?.checkpoints.add(1, { kind: record.kind, outcome: 'reused' });
    const span = this.#tracer.startSpan(`keel.${record.kind} ${record.name}`, undefined, this.#parentContext(parent));
    if (span.isRecording()) {
      // Tokens are left out: nothing was spent, and backends that add up gen_ai usage must not count them twice.
      span.setAttributes({
        ...this.#checkpointAttributes(record),
        [keys.attempt]: record.attempts,
        [keys.checkpointStatus]: record.status,
        [keys.reused]: true,
        ...this.#modelAttributes(record, false),
      });
    }
    span.end();
  }

  /** Ends the session's span (and the spans of calls and waits it leaves open) and counts the session. */
  ended(end: SessionEnd, error?: unknown): void {
    for (const key of [...this.#open.keys()]) {
      if (key instanceof Call) this.checkpointEnded(key, undefined, end === 'waiting' ? 'waiting' : 'interrupted');
      else this.#endWait(key, 'waiting');
    }
    this.#metrics?.sessions.add(1, { flow: this.#flow, operation: this.#operation, status: end });
    if (end === 'lease-lost') this.#metrics?.leasesLost.add(1, { flow: this.#flow });
    if (this.#span.isRecording()) {
      this.#span.setAttribute(keys.executionStatus, end);
      if (end === 'failed' || end === 'lease-lost') {
        if (error !== undefined) failSpan(this.#span, error);
        else this.#span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    this.#span.end();
  }

  /**
   * The context a checkpoint's span starts in. A span active here (a harness's span around the call,
   * or Keel's own through a context manager) is the parent; with no context manager registered
   * nothing is active, and Keel's tree gives the parent: the enclosing checkpoint's span, or the
   * session's.
   */
  #parentContext(parent: Call | null): Context {
    const active = context.active();
    if (trace.getSpan(active)) return active;
    const enclosing = parent ? this.#open.get(parent) : undefined;
    return enclosing?.context ?? this.#context;
  }

  /** Entering a context is only worth its cost when the span records or carries a sampled-out trace. */
  #entered(span: Span): boolean {
    return span.isRecording() || isSpanContextValid(span.spanContext());
  }

  #checkpointAttributes(record: CheckpointRecord): Attributes {
    return {
      [keys.executionId]: record.executionId,
      [keys.flow]: this.#flow,
      [keys.checkpointId]: record.id,
      [keys.checkpointName]: record.name,
      [keys.checkpointKind]: record.kind,
      ...(this.#codeVersion !== undefined ? { [keys.codeVersion]: this.#codeVersion } : {}),
    };
  }

  /** GenAI semantic-convention attributes of a model checkpoint, read from its {@link ModelCall} metadata. */
  #modelAttributes(record: CheckpointRecord, withTokens: boolean): Attributes {
    if (record.kind !== 'model') return {};
    const usage = modelUsageOf(record.metadata);
    const call = (record.metadata ?? {}) as ModelCall;
    const provider = call.provider ?? (typeof call.model === 'object' ? call.model.provider : undefined);
    return {
      [keys.genAiOperation]: 'chat',
      ...(usage?.model !== undefined ? { [keys.genAiRequestModel]: usage.model } : {}),
      ...(typeof provider === 'string' ? { [keys.genAiProvider]: provider } : {}),
      ...(withTokens && usage?.inputTokens !== undefined ? { [keys.genAiInputTokens]: usage.inputTokens } : {}),
      ...(withTokens && usage?.outputTokens !== undefined ? { [keys.genAiOutputTokens]: usage.outputTokens } : {}),
    };
  }
}

function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
