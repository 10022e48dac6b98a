import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeSchema, sampleFromSchema } from '../src/output/json-schema-text.js';
import { modelUsageOf } from '@keel/core';
import { formatModelUsage } from '../src/output/model-usage.js';
import { formatDuration, formatRelativeTime } from '../src/output/quantity-format.js';
import { prettyJson } from '../src/output/json-value.js';
import { shellQuote } from '../src/output/shell-quote.js';
import { resolveStoreUrl } from '../src/project/store-url.js';

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;

describe('wait schemas for people', () => {
  it('describes and samples the schemas zod produces, and the sample passes them', () => {
    const cases: [z.ZodType, string][] = [
      [z.object({ approved: z.boolean(), note: z.string().optional() }), '{ approved: boolean, note?: string }'],
      [z.enum(['rerun', 'fail']), '"rerun" | "fail"'],
      [z.array(z.number()).min(1), 'number[]'],
      [z.object({ score: z.number().int().min(1).max(5), tags: z.array(z.string()) }), '{ score: integer, tags: string[] }'],
      [z.union([z.literal('yes'), z.object({ reason: z.string().min(10) })]), '"yes" | { reason: string }'],
      [z.string().nullable(), 'string | null'],
    ];
    for (const [schema, text] of cases) {
      const json = schemaOf(schema);
      expect(describeSchema(json)).toBe(text);
      expect(schema.safeParse(sampleFromSchema(json)).success, text).toBe(true);
    }
  });
});

describe('model usage in checkpoint metadata', () => {
  it("shows what is present (reading it is core's modelUsageOf, tested there)", () => {
    expect(formatModelUsage(modelUsageOf({ model: 'gpt-4o', usage: { inputTokens: 1204, outputTokens: 88 } })!)).toBe('gpt-4o · 1,204 in / 88 out tokens');
    expect(formatModelUsage({ totalTokens: 3000 })).toBe('3,000 tokens');
  });
});

describe('formatting', () => {
  it('formats durations and relative times', () => {
    expect([840, 4_200, 185_000, 7_620_000].map(formatDuration)).toEqual(['840ms', '4.2s', '3m 05s', '2h 07m']);
    const now = Date.UTC(2026, 0, 10);
    expect(
      [now - 1000, now - 42_000, now - 5 * 60_000, now - 3 * 3600_000, now - 2 * 86_400_000, now + 600_000].map((time) => formatRelativeTime(time, now)),
    ).toEqual(['just now', '42s ago', '5m ago', '3h ago', '2d ago', 'in 10m']);
    expect(formatRelativeTime(Date.UTC(2025, 11, 1), now)).toBe('2025-12-01');
  });

  it('quotes shell arguments only when needed, so printed commands paste', () => {
    expect(shellQuote('ex_01m8btsayc06vsjg5n')).toBe('ex_01m8btsayc06vsjg5n');
    expect(shellQuote('{"approved":true}')).toBe(`'{"approved":true}'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("turns stored values JSON cannot hold into JSON, in core's one view (the HTTP API and MCP show the same)", () => {
    expect(
      JSON.parse(prettyJson({ when: new Date(0), big: 10n, map: new Map([['a', 1]]), set: new Set([1]), bytes: new Uint8Array([1, 2]), missing: undefined })),
    ).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      big: '10',
      map: { $type: 'Map', entries: [['a', 1]] },
      set: { $type: 'Set', values: [1] },
      bytes: { $type: 'Uint8Array', size: 2, base64: 'AQI=' },
    });
  });

  it('resolves file store URLs against a folder and leaves the others alone', () => {
    expect(resolveStoreUrl('./.keel', '/app')).toBe('/app/.keel');
    expect(resolveStoreUrl('lowdb:data', '/app')).toBe('lowdb:/app/data');
    expect(resolveStoreUrl('sqlite:./keel.db', '/app')).toBe('sqlite:/app/keel.db');
    expect(resolveStoreUrl('sqlite::memory:', '/app')).toBe('sqlite::memory:');
    expect(resolveStoreUrl('postgres://keel@db/keel', '/app')).toBe('postgres://keel@db/keel');
    expect(resolveStoreUrl('memory:', '/app')).toBe('memory:');
  });
});
