import type pg from 'pg';

/**
 * Runs `work` in a transaction on a connection checked out of `pool`: BEGIN, then COMMIT when `work`
 * resolves, ROLLBACK when it throws (the error is rethrown).
 *
 * While a client is checked out, `pg.Pool` no longer listens to its `error` event, and a connection
 * reset under it (a network blip, a server restart) would be an unhandled `error` event that kills
 * the process. Here the event is listened to for the whole checkout: the reset still reaches `work` as
 * the rejection of the query in flight (or of the next one), which the store's retrying runner handles.
 * After a failure the connection is discarded rather than given to the next caller: a failure is rare,
 * and telling a broken connection from a failed statement is not worth a wrong guess.
 */
export async function inPooledTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => (lost ??= error);
  client.on('error', onError);
  let failed = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.off('error', onError);
    client.release(lost ?? failed);
  }
}
