import { isAbsolute, resolve } from 'node:path';

/**
 * Makes the file paths in a store URL absolute against `baseDirectory`, so a relative store in
 * `keel.config.ts` means the same folder whichever subfolder the command runs from. URLs that are not
 * file paths (`memory:`, `postgres://…`) are returned as they are.
 */
export function resolveStoreUrl(url: string, baseDirectory: string): string {
  const trimmed = url.trim();
  if (trimmed === '' || trimmed === 'memory' || trimmed === 'memory:') return trimmed;
  for (const scheme of ['sqlite:', 'lowdb:']) {
    if (trimmed.startsWith(scheme)) {
      const path = trimmed.slice(scheme.length);
      if (path === '' || path === ':memory:' || isAbsolute(path)) return trimmed;
      return `${scheme}${resolve(baseDirectory, path)}`;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  return resolve(baseDirectory, trimmed);
}

/** A store URL without the password, for output. */
export function redactStoreUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
