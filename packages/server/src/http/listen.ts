import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Node HTTP server listening on its address. */
export interface Listening {
  /** The port it listens on (the one the system picked when asked for `0`). */
  readonly port: number;
  /** `http://<host>:<port>`, an IPv6 host in brackets. */
  readonly origin: string;
  /**
   * Stops listening. Idle keep-alive connections and open streams would hold it open, so they are
   * closed too; `beforeClose` runs first (e.g. to end live streams cleanly). Calling it again returns
   * the same promise.
   */
  close(beforeClose?: () => void): Promise<void>;
}

/** Starts `server` on `host:port`; rejects when the address cannot be taken (in use, not local). */
export async function listen(server: Server, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port: actual,
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: (beforeClose) =>
      (closing ??= new Promise<void>((resolve, reject) => {
        beforeClose?.();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
