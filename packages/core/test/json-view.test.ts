import { describe, expect, it } from 'vitest';
import { errorJsonView, toJsonView } from '../src/index.js';

describe('toJsonView', () => {
  it('shows what JSON cannot hold in one tagged scheme', () => {
    const error = Object.assign(new RangeError('too far', { cause: 'input' }), { code: 'E_RANGE' });
    expect(
      toJsonView({
        when: new Date(0),
        never: new Date(Number.NaN),
        big: 10n,
        infinite: Number.POSITIVE_INFINITY,
        url: new URL('https://example.com/a'),
        map: new Map([['a', new Set([1])]]),
        bytes: new Uint8Array([1, 2]),
        list: [undefined, () => 1],
        missing: undefined,
        error,
      }),
    ).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      never: null,
      big: '10',
      infinite: 'Infinity',
      url: 'https://example.com/a',
      map: { $type: 'Map', entries: [['a', { $type: 'Set', values: [1] }]] },
      bytes: { $type: 'Uint8Array', size: 2, base64: 'AQI=' },
      list: [null, null],
      error: { $type: 'Error', name: 'RangeError', message: 'too far', code: 'E_RANGE', stack: error.stack, cause: 'input' },
    });
  });

  it('names a value met again inside itself instead of failing', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    expect(toJsonView([loop, loop])).toEqual([
      { name: 'loop', self: '[circular]' },
      { name: 'loop', self: '[circular]' },
    ]);
  });

  it('shortens stacks on request, saying where the rest is', () => {
    const error = new Error('boom');
    error.stack = ['Error: boom', 'at a', 'at b', 'at c'].join('\n');
    expect(errorJsonView(error, { stackLines: 2, moreLinesHint: 'see the record' }).stack).toBe('Error: boom\nat a\n    … 2 more lines (see the record)');
  });
});
