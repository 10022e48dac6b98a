import { pathToFileURL } from 'node:url';
import type { Jiti } from 'jiti';
import type { Runtime } from '@keel/core';
import { RuntimeUnavailableError } from '../errors/runtime-unavailable-error.js';

/** The public entry of `@keel/core`. */
export type CoreModule = typeof import('@keel/core');

/** The `@keel/core` instance that the CLI and the project's flow modules share. */
export interface KeelCore {
  readonly module: CoreModule;
  /** Where it was loaded from. */
  readonly url: string;
  /** `project`: the project's own install; `cli`: the CLI's, because the project has none. */
  readonly source: 'project' | 'cli';
  /** Modules that jiti hands to flow modules instead of resolving them. */
  readonly virtualModules: Readonly<Record<string, unknown>>;
  /** The runtime `flow()` registers on. */
  defaultRuntime(): Runtime;
}

/**
 * Picks the `@keel/core` instance everything shares. Flows register on the default runtime of the
 * `@keel/core` *they* import, and adapters in the project's node_modules import the project's copy;
 * so when the project has `@keel/core`, the CLI uses that one (imported natively — jiti imports
 * packages in node_modules natively too, so both land on the same module URL and instance). When it
 * has none (a global `keel` install), the CLI's own copy is handed to the flow modules as a virtual
 * module, so `import { flow } from '@keel/core'` still works and registers where the CLI looks.
 */
export async function loadKeelCore(resolver: Jiti, projectDirectory: string): Promise<KeelCore> {
  const parentURL = pathToFileURL(`${projectDirectory}/`).href;
  const url = resolver.esmResolve('@keel/core', { parentURL, try: true });
  if (url !== undefined) {
    const module = (await import(url)) as CoreModule;
    return { module, url, source: 'project', virtualModules: {}, defaultRuntime: () => defaultRuntimeOf(module, url) };
  }
  const ownUrl = import.meta.resolve('@keel/core');
  const [ownCore, ownAdapter, ownStore] = await Promise.all([import('@keel/core'), import('@keel/core/adapter'), import('@keel/core/store')]);
  return {
    module: ownCore,
    url: ownUrl,
    source: 'cli',
    virtualModules: { '@keel/core': ownCore, '@keel/core/adapter': ownAdapter, '@keel/core/store': ownStore },
    defaultRuntime: () => defaultRuntimeOf(ownCore, ownUrl),
  };
}

/** The default runtime of a `@keel/core` instance: the one its `flow()` registers on. */
function defaultRuntimeOf(module: CoreModule, url: string): Runtime {
  const accessor = (module as Partial<CoreModule>).defaultRuntime;
  if (typeof accessor !== 'function') throw new RuntimeUnavailableError({ core: url });
  return accessor();
}
