import pg from 'pg';
import { KeelError, type Store } from '@keel/core';
import { settingsFromUrl, type ConnectionSettings } from './connection-settings.js';
import { storeConnections } from './postgres-store.js';

/** Why a worker was woken. */
export type WorkNotification =
  /** Input was given to a wait of this execution (`NOTIFY <schema>_input`): it can resume. */
  | { readonly kind: 'input'; readonly executionId: string }
  /** This execution was created (or put back) with status `queued` (`NOTIFY <schema>_queued`). */
  | { readonly kind: 'queued'; readonly executionId: string }
  /**
   * The listening connection was lost and is back. Notifications sent meanwhile are gone, so look for
   * work once (e.g. `runtime.executions.recover()`).
   */
  | { readonly kind: 'reconnected' };

/** Options of {@link listenForWork}. */
export interface ListenForWorkOptions {
  /** The schema, when `source` is a URL without a `schema` parameter. Default `keel`. */
  readonly schema?: string;
  /** Called with connection errors (the listener reconnects by itself) and errors `onWork` threw. */
  readonly onError?: (error: unknown) => void;
  /** How often (ms) the idle connection is checked, so a silently dead one is noticed. Default 30,000. */
  readonly heartbeatInterval?: number;
}

/** A running listener. */
export interface WorkListener {
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

/**
 * Wakes a worker when there is work, instead of polling: a dedicated connection `LISTEN`s on the
 * store's channels and calls `onWork` for each notification. Resolves once the connection listens, so
 * every notification committed after that point is delivered.
 *
 * NOTIFY is a wake-up, not a queue: a notification sent while the connection is down is lost (you
 * get `{ kind: 'reconnected' }` instead), and several workers all receive each one. Which worker runs
 * an execution is still decided by compare-and-set on its row, so keep a slow poll (every 30 s or so)
 * as a safety net and treat notifications as "look now".
 *
 * @param source - A store from {@link postgresStore}, or a `postgres://` URL (its `schema` parameter, or
 *   `options.schema`, names the schema).
 * @param onWork - Called for each notification; errors it throws go to `options.onError`.
 *
 * @example
 * ```ts
 * const listener = await listenForWork(store, () => void runtime.executions.recover());
 * ```
 */
export async function listenForWork(
  source: Store | string,
  onWork: (notification: WorkNotification) => void | Promise<void>,
  options: ListenForWorkOptions = {},
): Promise<WorkListener> {
  let settings: ConnectionSettings | undefined;
  if (typeof source === 'string') settings = settingsFromUrl(source, options.schema);
  else {
    settings = storeConnections.get(source);
    if (settings === undefined) {
      throw new KeelError(
        `listenForWork needs a PostgreSQL store (from postgresStore) or a postgres:// URL, not the ${source.name} store at ${source.location}.`,
      );
    }
  }
  const listener = new NotificationListener(settings, onWork, options);
  await listener.start();
  return listener;
}

class NotificationListener implements WorkListener {
  readonly #settings: ConnectionSettings;
  readonly #onWork: (notification: WorkNotification) => void | Promise<void>;
  readonly #options: ListenForWorkOptions;
  readonly #inputChannel: string;
  readonly #queuedChannel: string;
  #client: pg.Client | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #reconnecting = false;
  #closed = false;

  constructor(settings: ConnectionSettings, onWork: (notification: WorkNotification) => void | Promise<void>, options: ListenForWorkOptions) {
    this.#settings = settings;
    this.#onWork = onWork;
    this.#options = options;
    this.#inputChannel = `${settings.schema}_input`;
    this.#queuedChannel = `${settings.schema}_queued`;
  }

  async start(): Promise<void> {
    this.#client = await this.#connect();
    const interval = this.#options.heartbeatInterval ?? 30_000;
    this.#heartbeat = setInterval(() => {
      // A query on a dead connection fails (or times out) and the error handler reconnects.
      this.#client?.query('SELECT 1').catch((error: unknown) => this.#lost(error));
    }, interval);
    // A worker that is otherwise done should be able to exit even though it still listens.
    this.#heartbeat.unref();
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({
      ...this.#settings.config,
      application_name: 'keel-listener',
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
    });
    client.on('notification', (message) => {
      if (message.payload === undefined) return;
      if (message.channel === this.#inputChannel) this.#deliver({ kind: 'input', executionId: message.payload });
      else if (message.channel === this.#queuedChannel) this.#deliver({ kind: 'queued', executionId: message.payload });
    });
    client.on('error', (error) => this.#lost(error, client));
    client.on('end', () => this.#lost(undefined, client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#inputChannel}"; LISTEN "${this.#queuedChannel}"`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  #deliver(notification: WorkNotification): void {
    try {
      Promise.resolve(this.#onWork(notification)).catch((error: unknown) => this.#options.onError?.(error));
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  /** The connection failed or ended: reconnect with backoff until it works or the listener closes. */
  #lost(error: unknown, client: pg.Client | undefined = this.#client): void {
    if (this.#closed || client !== this.#client || this.#reconnecting) return;
    if (error !== undefined) this.#options.onError?.(error);
    this.#reconnecting = true;
    this.#client = undefined;
    client?.removeAllListeners('end');
    client?.end().catch(() => {});
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    for (let delay = 100; !this.#closed; delay = Math.min(delay * 2, 5_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
      if (this.#closed) return;
      try {
        const client = await this.#connect();
        if (this.#closed) {
          await client.end().catch(() => {});
          return;
        }
        this.#client = client;
        this.#reconnecting = false;
        this.#deliver({ kind: 'reconnected' });
        return;
      } catch (error) {
        this.#options.onError?.(error);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
