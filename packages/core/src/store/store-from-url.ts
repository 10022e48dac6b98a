import type { Store } from './store.js';
import { memoryStore } from './memory-store.js';
import { lowdbStore } from './lowdb/lowdb-store.js';

/**
 * Opens the store a URL names — the form `KEEL_STORE`, `--store` and `keel.config.ts` use:
 *
 * | URL | store |
 * |---|---|
 * | `./.keel`, `/var/keel`, `lowdb:./.keel` | lowdb files in that folder (the default, `.keel`) |
 * | `memory:` | this process's memory |
 * | `sqlite:./keel.db` | `@keel/store-sqlite` (install it) |
 * | `postgres://user@host/db` | `@keel/store-postgres` (install it) |
 */
export async function storeFromUrl(url: string): Promise<Store> {
  const trimmed = url.trim();
  if (trimmed === '') throw new Error('Keel store URL is empty. Use a folder (./.keel), sqlite:./keel.db or postgres://….');
  if (trimmed === 'memory:' || trimmed === 'memory') return memoryStore();
  if (trimmed.startsWith('sqlite:')) {
    const module = await importStorePackage('@keel/store-sqlite', url);
    return (module.sqliteStore as (path: string) => Store)(trimmed.slice('sqlite:'.length));
  }
  if (trimmed.startsWith('postgres://') || trimmed.startsWith('postgresql://')) {
    const module = await importStorePackage('@keel/store-postgres', url);
    return (module.postgresStore as (url: string) => Store)(trimmed);
  }
  if (trimmed.startsWith('lowdb:')) return lowdbStore(trimmed.slice('lowdb:'.length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new Error(`Keel does not know the store URL "${redact(trimmed)}". Use a folder (./.keel), sqlite:./keel.db or postgres://….`);
  }
  return lowdbStore(trimmed);
}

async function importStorePackage(name: string, url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`The store URL "${redact(url)}" needs the package ${name}: install it next to @keel/core (pnpm add ${name}).`, { cause: error });
  }
}

/** Hides a password in a URL before it goes into a message. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
