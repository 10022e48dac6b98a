import { pathToFileURL } from 'node:url';
import type { Jiti } from 'jiti';
import type { Store } from '@keel/core';

const storePackages = [
  { prefixes: ['sqlite:'], name: '@keel/store-sqlite', factory: 'sqliteStore', strip: true },
  { prefixes: ['postgres://', 'postgresql://'], name: '@keel/store-postgres', factory: 'postgresStore', strip: false },
] as const;

/**
 * What to hand `configure({ store })` for a store URL. SQLite and PostgreSQL stores live in their own
 * packages; `@keel/core` imports them from where *it* is installed, which a strict layout (pnpm) does
 * not let it see. So the CLI first looks for the package from the project's folder and opens the
 * store itself; when the project does not have it, the URL goes to `@keel/core`, whose error says
 * what to install.
 */
export async function storeSource(url: string, resolver: Jiti, projectDirectory: string): Promise<Store | string> {
  const trimmed = url.trim();
  const kind = storePackages.find((candidate) => candidate.prefixes.some((prefix) => trimmed.startsWith(prefix)));
  if (!kind) return trimmed;
  const resolved = resolver.esmResolve(kind.name, { parentURL: pathToFileURL(`${projectDirectory}/`).href, try: true });
  if (resolved === undefined) return trimmed;
  const module = (await import(resolved)) as Record<string, unknown>;
  const factory = module[kind.factory];
  if (typeof factory !== 'function') return trimmed;
  return (factory as (location: string) => Store)(kind.strip ? trimmed.slice('sqlite:'.length) : trimmed);
}
