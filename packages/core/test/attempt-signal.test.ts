import { describe, expect, it } from 'vitest';
import { AttemptSignal } from '../src/runtime/attempt-signal.js';

describe("an attempt's signal, made on first read", () => {
  it('follows the session while the attempt runs, read before the stop', () => {
    const session = new AbortController();
    const attempt = new AttemptSignal(session.signal);
    const signal = attempt.signal;
    expect(signal.aborted).toBe(false);
    session.abort(new Error('cancelled'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('cancelled');
  });

  it('is aborted when read after the session stopped during the attempt', () => {
    const session = new AbortController();
    const attempt = new AttemptSignal(session.signal);
    session.abort(new Error('lease lost'));
    attempt.end();
    expect((attempt.signal.reason as Error).message).toBe('lease lost');
  });

  it("keeps the timeout's reason over a later stop of the session", () => {
    const session = new AbortController();
    const attempt = new AttemptSignal(session.signal);
    attempt.abort(new Error('timeout'));
    session.abort(new Error('cancelled'));
    expect((attempt.signal.reason as Error).message).toBe('timeout');
  });

  it('no longer follows the session once the attempt ended', () => {
    const session = new AbortController();
    const attempt = new AttemptSignal(session.signal);
    const early = attempt.signal;
    attempt.end();
    session.abort(new Error('cancelled later'));
    expect(early.aborted).toBe(false);
    expect(attempt.signal.aborted).toBe(false);
  });
});
