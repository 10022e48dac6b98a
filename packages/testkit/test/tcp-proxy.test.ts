import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '@keel/testkit';

let echo: Server | undefined;
let proxy: TcpProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
  proxy = echo = undefined;
});

/** An echo server on a free loopback port. */
async function startEcho(): Promise<number> {
  // The proxy resets its upstream connections when cut: the echo server sees ECONNRESET, expectedly.
  const server = (echo = createServer((socket) => socket.on('error', () => {}).pipe(socket)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

/**
 * Connects to `port`, sends `text`, and resolves with what comes back — or with `refused` when the
 * connection fails or ends before an answer. The socket is left open when it answered.
 */
function exchange(port: number, text: string): Promise<{ answer: string; socket: Socket } | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.once('data', (data) => resolve({ answer: data.toString(), socket }));
    socket.on('error', () => resolve('refused'));
    socket.once('close', () => resolve('refused'));
  });
}

describe('startTcpProxy', () => {
  it('forwards, resets open connections and refuses new ones while cut, and forwards again once restored', async () => {
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: await startEcho() } });
    const first = await exchange(proxy.port, 'hello');
    if (first === 'refused') throw new Error('the proxy did not forward the first connection');
    expect(first.answer).toBe('hello');
    expect(proxy.forwarded).toBe(1);

    const reset = new Promise<unknown>((resolve) => first.socket.once('error', resolve));
    proxy.cut();
    expect(await reset).toMatchObject({ code: 'ECONNRESET' });

    const refused = proxy.refusedAtLeast(2);
    expect([await exchange(proxy.port, 'anyone?'), await exchange(proxy.port, 'anyone?')]).toEqual(['refused', 'refused']);
    await refused;
    expect(proxy.refused).toBe(2);

    proxy.restore();
    const again = await exchange(proxy.port, 'back');
    expect(again).toMatchObject({ answer: 'back' });
    expect(proxy.forwarded).toBe(2);
    if (again !== 'refused') again.socket.destroy();
  });
});
