import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ExecutionStatus, Runtime } from '@keel/core';
import { toJsonView } from '@keel/core';

const finalStatuses: readonly ExecutionStatus[] = ['completed', 'failed', 'cancelled'];

/** Options of {@link streamLogs}. */
export interface LogStreamOptions {
  readonly runtime: Runtime;
  readonly executionId: string;
  /** Lines to skip: the `offset` query, or the `Last-Event-ID` a reconnecting EventSource sends. */
  readonly offset: number;
  readonly pollIntervalMs: number;
  /** Aborted when the server closes: every stream ends. */
  readonly shutdown: AbortSignal;
}

/**
 * A live tail of an execution's log over server-sent events. Events:
 * - `log`: one line (`data` is the log record as JSON; `id` is the number of lines sent so far, so an
 *   EventSource that reconnects continues where it stopped);
 * - `status`: the execution's status, first at once and then whenever it changes;
 * - `end`: the execution ended and every line was sent; the stream closes.
 * Stores have no push, so the stream looks for new lines every `pollIntervalMs` (and sends a comment
 * line every 15 s so proxies keep the connection open).
 */
export function streamLogs(c: Context, options: LogStreamOptions): Response {
  const { runtime, executionId, pollIntervalMs, shutdown } = options;
  return streamSSE(c, async (stream) => {
    let offset = options.offset;
    let status: ExecutionStatus | undefined;
    let closed = false;
    stream.onAbort(() => {
      closed = true;
    });
    const store = await runtime.store();
    let quietSince = Date.now();
    while (!closed && !shutdown.aborted) {
      const lines = await store.listLogs(executionId, { offset, limit: 500 });
      for (const line of lines) {
        offset++;
        await stream.writeSSE({ event: 'log', id: String(offset), data: JSON.stringify(toJsonView(line)) });
      }
      const execution = await store.getExecution(executionId);
      if (!execution) break;
      if (execution.status !== status) {
        status = execution.status;
        await stream.writeSSE({ event: 'status', data: JSON.stringify({ status, updatedAt: execution.updatedAt }) });
      }
      if (lines.length) quietSince = Date.now();
      if (lines.length === 0 && finalStatuses.includes(execution.status)) {
        // Lines are written before the status changes, so none can follow a final status.
        const last = await store.listLogs(executionId, { offset, limit: 500 });
        if (last.length === 0) {
          await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: execution.status, lines: offset }) });
          break;
        }
        continue;
      }
      if (Date.now() - quietSince > 15_000) {
        await stream.write(': still here\n\n');
        quietSince = Date.now();
      }
      if (lines.length < 500) await sleep(pollIntervalMs, shutdown);
    }
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
