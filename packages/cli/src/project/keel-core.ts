import { pathToFileURL } from 'node:url';
import type { Jiti } from 'jiti';
import * as ownCore from '@keel/core';
import * as ownAdapter from '@keel/core/adapter';
import * as ownStore from '@keel/core/store';
import type { RunOptions, RunResult, Runtime } from '@keel/core';
import { RuntimeUnavailableError } from '../errors/runtime-unavailable-error.js';

/** The public entry of `@keel/core`. */
export type CoreModule = typeof ownCore;

/**
 * The default runtime as the CLI uses it: the public {@link Runtime}, plus starting a run by flow
 * name (which `KeelRuntime` has, and the `Runtime` interface does not say yet).
 */
export interface OperableRuntime extends Runtime {
  run(flowName: string, input: unknown, options?: RunOptions): Promise<RunResult>;
  start(flowName: string, input: unknown, options?: RunOptions): Promise<{ executionId: string }>;
}

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
  defaultRuntime(): Promise<OperableRuntime>;
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
  return {
    module: ownCore,
    url: ownUrl,
    source: 'cli',
    virtualModules: { '@keel/core': ownCore, '@keel/core/adapter': ownAdapter, '@keel/core/store': ownStore },
    defaultRuntime: () => defaultRuntimeOf(ownCore, ownUrl),
  };
}

/**
 * The default runtime of a `@keel/core` instance. `@keel/core` does not export it yet (reported); until
 * it does, the CLI imports the module that holds it next to the entry it loaded. Node caches modules
 * by URL, so this is the very instance the entry (and so `flow()`) uses.
 */
async function defaultRuntimeOf(module: CoreModule, url: string): Promise<OperableRuntime> {
  try {
    const exported = (module as unknown as { defaultRuntime?: () => unknown }).defaultRuntime;
    const internal =
      typeof exported === 'function'
        ? exported
        : ((await import(new URL('./runtime/default-runtime.js', url).href)) as { defaultRuntime: () => unknown }).defaultRuntime;
    const runtime = internal() as Partial<OperableRuntime>;
    if (typeof runtime.run !== 'function' || typeof runtime.start !== 'function' || typeof runtime.flows !== 'function' || !runtime.executions) {
      throw new Error('its default runtime lacks run(), start(), flows() or executions');
    }
    return runtime as OperableRuntime;
  } catch (error) {
    throw new RuntimeUnavailableError({ core: url, cause: error });
  }
}
