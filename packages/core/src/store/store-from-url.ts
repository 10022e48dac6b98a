import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StorePackageMissingError } from '../errors/store-package-missing-error.js';
import { StoreUrlInvalidError } from '../errors/store-url-invalid-error.js';
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
  if (trimmed === '') throw new StoreUrlInvalidError({ url: trimmed, problem: 'The Keel store URL is empty.' });
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
    throw new StoreUrlInvalidError({ url: redact(trimmed), problem: `Keel does not know the store URL "${redact(trimmed)}".` });
  }
  return lowdbStore(trimmed);
}

async function importStorePackage(name: string, url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (error) {
    // Under pnpm, @keel/core cannot see its siblings: look where the user installed it, from the
    // project (the current directory) upwards.
    const entry = projectPackageEntry(name);
    if (entry) return (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    throw new StorePackageMissingError({ url: redact(url), packageName: name, cause: error });
  }
}

/** The ESM entry file of an installed package found in `node_modules` from the current directory up. */
function projectPackageEntry(name: string): string | undefined {
  for (let directory = process.cwd(); ; directory = dirname(directory)) {
    const manifest = join(directory, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, { import?: string }> }).exports;
      const file = exports?.['.']?.import;
      return file ? join(dirname(realpathSync(manifest)), file) : undefined;
    }
    if (dirname(directory) === directory) return undefined;
  }
}

/** Hides a password in a URL before it goes into a message. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
