import { createServer, connect, type Server, type Socket } from 'node:net';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Where the proxy forwards connections to (a database server, say). */
  readonly target: { readonly host: string; readonly port: number };
}

/**
 * A loopback TCP proxy between a client and a server, whose link a test cuts and restores: what a
 * network partition or a server restart looks like to the client, while the server itself keeps
 * running (and other clients keep reaching it directly).
 */
export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted and forwarded so far. */
  readonly forwarded: number;
  /** Connections refused (closed at once) while cut. */
  readonly refused: number;
  /** Resolves once `refused` reaches `count`: the client tried again that many times while cut. */
  refusedAtLeast(count: number): Promise<void>;
  /** Destroys every open connection, and refuses new ones until {@link restore}. */
  cut(): void;
  /** Forwards new connections again. */
  restore(): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/**
 * Starts a {@link TcpProxy} to `target` on a free loopback port.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: 5432 } });
 * const url = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
 * proxy.cut(); // the client's connections reset; new ones are refused
 * proxy.restore();
 * ```
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let forwarded = 0;
  let refused = 0;
  const refusalWaiters = new Set<{ count: number; resolve: () => void }>();

  const server: Server = createServer((client) => {
    if (cut) {
      refused += 1;
      client.resetAndDestroy();
      for (const waiter of [...refusalWaiters]) {
        if (refused >= waiter.count) {
          refusalWaiters.delete(waiter);
          waiter.resolve();
        }
      }
      return;
    }
    forwarded += 1;
    const upstream = connect(options.target.port, options.target.host);
    open.add(client).add(upstream);
    const forget = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the TCP proxy did not get a port');

  const destroyAll = () => {
    // A reset, not a polite close: what a client sees when the network drops under it.
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };
  return {
    port: address.port,
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    refusedAtLeast: (count) => (refused >= count ? Promise.resolve() : new Promise<void>((resolve) => refusalWaiters.add({ count, resolve }))),
    cut: () => {
      cut = true;
      destroyAll();
    },
    restore: () => {
      cut = false;
    },
    close: async () => {
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
