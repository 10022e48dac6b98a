import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpoint, createRuntime, memoryStore } from '../src/index.js';

/** The OTLP/JSON shapes this test reads (see opentelemetry-proto's trace.proto). */
interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: string | number;
  readonly boolValue?: boolean;
}
interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: readonly { readonly key: string; readonly value: OtlpValue }[];
}
interface OtlpRequest {
  readonly resourceSpans: readonly { readonly scopeSpans: readonly { readonly scope: { readonly name: string }; readonly spans: readonly OtlpSpan[] }[] }[];
}

const received: { contentType: string | undefined; body: OtlpRequest }[] = [];
let arrived: () => void = () => {};
const receiver = createServer(async (request: IncomingMessage, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  received.push({ contentType: request.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest });
  response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  arrived();
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })] });
trace.setGlobalTracerProvider(provider);

afterAll(async () => {
  trace.disable();
  await provider.shutdown();
  await new Promise((resolve) => receiver.close(resolve));
});

function attribute(span: OtlpSpan, key: string): string | number | boolean | undefined {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  if (!value) return undefined;
  return value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined);
}

describe('OTLP/HTTP export', () => {
  it('sends the session and checkpoint spans, with their parent and attributes, to an OTLP receiver', async () => {
    const runtime = createRuntime({ store: memoryStore() });
    const summarize = runtime.flow('summarize', async (text: string) =>
      checkpoint('summary', (call) => (call.setMetadata({ model: 'gpt-test', usage: { inputTokens: 40, outputTokens: 8 } }), text.slice(0, 5)), {
        kind: 'model',
      }),
    );
    const { executionId } = await summarize.run('otters hold hands');
    const spans = () =>
      received.flatMap(({ body }) =>
        body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ scope: scope.scope.name, span })))),
      );
    while (spans().length < 2) await new Promise<void>((resolve) => (arrived = resolve));
    expect(received.every(({ contentType }) => contentType === 'application/json')).toBe(true);
    const session = spans().find(({ span }) => span.name === 'keel.run summarize');
    const summary = spans().find(({ span }) => span.name === 'keel.model summary');
    expect(session?.scope).toBe('@keel/core');
    expect(summary?.span.parentSpanId).toBe(session?.span.spanId);
    expect(summary?.span.traceId).toBe(session?.span.traceId);
    expect(attribute(session!.span, 'keel.execution.id')).toBe(executionId);
    expect(attribute(summary!.span, 'keel.checkpoint.id')).toBe('summary:1');
    expect(attribute(summary!.span, 'gen_ai.request.model')).toBe('gpt-test');
    expect(attribute(summary!.span, 'gen_ai.usage.input_tokens')).toBe(40);
    expect(attribute(summary!.span, 'gen_ai.usage.output_tokens')).toBe(8);
  });
});
