import { durableCall, isFlowActive, normalizeRequest, requestFingerprint, type CheckpointOptions } from '@keel/core/adapter';
import { runInDurableContext } from './durable-context.js';
import { isRecordedResponse, recordResponse, replayResponse } from './recorded-response.js';

/** Options of {@link durable}. */
export interface DurableOptions<Args extends unknown[]> extends Omit<CheckpointOptions, 'key' | 'fingerprint' | 'input'> {
  /**
   * A stable key per call instead of the call counter (`<name>:<key>`), e.g. an order id. Calls
   * without a key are numbered in the order they start.
   */
  readonly key?: (...args: Args) => string | undefined;
}

/**
 * Makes any async function durable: inside a flow each call is a checkpoint named `name`, whose
 * fingerprint is the hash of its arguments; on resume or replay a completed call returns its
 * recorded result without running. Use it for the pieces of a loop that `durableAnthropic` does not
 * cover — an OpenAI client, `fetch`, a database write — one function at a time. Outside a flow the
 * function simply runs.
 *
 * Results must be storable (JSON plus `Date`, `Map`, `Uint8Array` … — see `@keel/core`). A `Response`
 * (from `fetch`) is read to its end, stored, and returned as a fresh `Response`.
 *
 * @example
 * ```ts
 * const chat = durable('openai.chat', (params) => openai.chat.completions.create(params), { kind: 'model' });
 * const getPage = durable('fetch', (url: string) => fetch(url));
 * ```
 */
export function durable<Args extends unknown[], Result>(
  name: string,
  fn: (...args: Args) => Result | Promise<Result>,
  options: DurableOptions<Args> = {},
): (...args: Args) => Promise<Awaited<Result>> {
  const { key, ...checkpointOptions } = options;
  return async (...args: Args): Promise<Awaited<Result>> => {
    if (!isFlowActive()) return (await fn(...args)) as Awaited<Result>;
    const callKey = key?.(...args);
    const output = await durableCall(
      {
        ...checkpointOptions,
        name,
        ...(callKey !== undefined ? { key: callKey } : {}),
        fingerprint: requestFingerprint(args),
        input: normalizeRequest(args),
      },
      (context) =>
        runInDurableContext(context, async () => {
          const result = await fn(...args);
          return result instanceof Response ? recordResponse(result) : result;
        }),
    );
    return (isRecordedResponse(output) ? replayResponse(output) : output) as Awaited<Result>;
  };
}
