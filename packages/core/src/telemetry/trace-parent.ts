import { isSpanContextValid, type SpanContext } from '@opentelemetry/api';

/** A span context as a W3C `traceparent` value (`00-<trace id>-<span id>-<flags>`). */
export function toTraceParent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags.toString(16).padStart(2, '0')}`;
}

/**
 * The span context of a W3C `traceparent` value, or `undefined` when the value is not one (a record
 * written by hand or by another tool is ignored, not trusted).
 */
export function fromTraceParent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
  if (!match) return undefined;
  const spanContext: SpanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}
