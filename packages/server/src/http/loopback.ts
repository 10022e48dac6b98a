/** Host names that reach only this machine. */
export const loopbackHostNames: readonly string[] = ['127.0.0.1', 'localhost', '::1', '[::1]'];

/** Whether an address to listen on is loopback (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** The host name a `Host` header names (lower case, no port), or `undefined` when there is none. */
export function hostNameOf(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Whether a browser's `Origin` is the site the request is addressed to (its `Host`). */
export function isSameOrigin(origin: string, host: string | null | undefined): boolean {
  try {
    return !!host && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
