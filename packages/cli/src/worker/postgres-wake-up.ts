import { pathToFileURL } from 'node:url';
import { createJiti } from '../project/jiti-loader.js';

/** A listener that can be stopped. */
export interface WakeUpListener {
  close(): Promise<void>;
}

/** The part of `@keel/store-postgres`'s `listenForWork` the worker uses. */
type ListenForWork = (source: string, onWork: () => void, options: { readonly onError?: (error: unknown) => void }) => Promise<WakeUpListener>;

/** Whether a store URL names a PostgreSQL store. */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url.trim());
}

/**
 * Listens for PostgreSQL's "input arrived" and "execution queued" notifications with `listenForWork`
 * from the project's `@keel/store-postgres` (resolved from the project folder, as the store itself is),
 * calling `onWork` for each. `undefined` when the project does not have the package (the store then
 * came from somewhere `@keel/core` found it, and polling alone does the job).
 */
export async function listenForPostgresWork(
  storeUrl: string,
  projectDirectory: string,
  onWork: () => void,
  onError: (error: unknown) => void,
): Promise<WakeUpListener | undefined> {
  const resolver = createJiti(pathToFileURL(`${projectDirectory}/`).href, { fsCache: false, moduleCache: false });
  const resolved = resolver.esmResolve('@keel/store-postgres', { parentURL: pathToFileURL(`${projectDirectory}/`).href, try: true });
  if (resolved === undefined) return undefined;
  const module = (await import(resolved)) as { listenForWork?: ListenForWork };
  if (typeof module.listenForWork !== 'function') return undefined;
  return module.listenForWork(storeUrl.trim(), onWork, { onError });
}
