// What Keel's tracing costs per checkpoint: with no tracer provider registered (the default: the
// spans are @opentelemetry/api's non-recording ones) and with a provider that records every span
// into memory (an AsyncLocalStorage context manager, a simple processor, an in-memory exporter).
//
//   pnpm build && node bench/telemetry-overhead.mjs [--checkpoints 2000] [--rounds 5] [--baseline <core dist/index.js>]
//
// `--baseline` adds a third set-up: another build of @keel/core (say, one from before tracing was
// added: `git archive <commit> packages/core`, built with its tsconfig) with no provider registered.
//
// The two set-ups alternate round by round in one process so that warm-up and GC pressure fall on
// both alike. A checkpoint does no work and returns a small object on the in-memory store, so what
// is measured is the runner, with and without spans.
import { performance } from 'node:perf_hooks';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import * as keel from '@keel/core';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const checkpoints = option('--checkpoints', 2_000);
const rounds = option('--rounds', 5);
const baselinePath = args.includes('--baseline') ? args[args.indexOf('--baseline') + 1] : undefined;
const baseline = baselinePath ? await import(new URL(baselinePath, `file://${process.cwd()}/`).href) : undefined;

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();

function use(setup) {
  trace.disable();
  context.disable();
  if (setup === 'provider') {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(provider);
  }
}

async function round(setup) {
  use(setup);
  const { checkpoint, createRuntime, memoryStore } = setup === 'baseline' ? baseline : keel;
  const runtime = createRuntime({ store: memoryStore() });
  const timings = [];
  const steps = runtime.flow('steps', async () => {
    for (let index = 0; index < checkpoints; index++) {
      const started = performance.now();
      await checkpoint('step', () => ({ index }));
      timings.push(performance.now() - started);
    }
  });
  const result = await steps.run(null);
  if (result.status !== 'completed') throw new Error(`the run ended ${result.status}`);
  exporter.reset();
  await runtime.close();
  return timings;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const setups = baseline ? ['none', 'baseline', 'provider'] : ['none', 'provider'];
const timings = Object.fromEntries(setups.map((setup) => [setup, []]));
for (const setup of setups) await round(setup); // warm-up, not counted
for (let index = 0; index < rounds; index++) {
  for (const setup of setups) timings[setup].push(...(await round(setup)));
}

console.log(`\nKeel tracing overhead per checkpoint — memory store, ${checkpoints} checkpoints × ${rounds} rounds, Node ${process.version}\n`);
console.log('set-up                          p50 µs   p90 µs   p99 µs   mean µs');
const labels = { baseline: 'baseline build, no provider', none: 'no tracer provider (default)', provider: 'in-memory provider, ALS context' };
for (const setup of setups) {
  const sorted = [...timings[setup]].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const us = (value) => (value * 1000).toFixed(1).padStart(8);
  console.log(`${labels[setup].padEnd(31)} ${us(percentile(sorted, 50))} ${us(percentile(sorted, 90))} ${us(percentile(sorted, 99))} ${us(mean)}`);
}
console.log(
  `\nrerun: pnpm build && node bench/telemetry-overhead.mjs --checkpoints ${checkpoints} --rounds ${rounds}${baselinePath ? ` --baseline ${baselinePath}` : ''}`,
);
