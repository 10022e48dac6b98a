import { dirname, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Jiti } from 'jiti';
import { createJiti } from './jiti-loader.js';
import type { Runtime, Store } from '@keel/core';
import type { KeelConfig } from '../define-config.js';
import { ConfigInvalidError } from '../errors/config-invalid-error.js';
import { ConfigNotFoundError } from '../errors/config-not-found-error.js';
import { FlowModuleImportError } from '../errors/flow-module-import-error.js';
import { findConfig } from './find-config.js';
import type { FlowCatalog } from './flow-catalog.js';
import { loadKeelCore, type KeelCore } from './keel-core.js';
import { expandModulePatterns } from './module-patterns.js';
import { storeSource } from './store-source.js';
import { redactStoreUrl, resolveStoreUrl } from './store-url.js';

/** Where the store URL in use came from. */
export type StoreOrigin = 'flag' | 'environment' | 'config' | 'default';

/** How to open the project a command works on. */
export interface ProjectOptions {
  readonly cwd: string;
  /** `--config`. */
  readonly config?: string;
  /** `--store`. */
  readonly store?: string;
  /** The environment (`KEEL_STORE`). */
  readonly environment: NodeJS.ProcessEnv;
  /** Commands that run flows need the config; reading commands can do with a store alone. */
  readonly requireConfig: boolean;
}

/** The project a command works on: its config, the shared `@keel/core`, and the configured default runtime. */
export interface Project {
  /** The config's folder, or the working directory when there is no config. */
  readonly root: string;
  readonly configFile: string | undefined;
  readonly config: KeelConfig | undefined;
  readonly core: KeelCore;
  readonly runtime: Runtime;
  /** The store in use, for output (password hidden), and where that choice came from. */
  readonly storeLabel: string;
  /** The store URL in use, with file paths made absolute; `undefined` when the config gave a Store instance. */
  readonly storeUrl: string | undefined;
  readonly storeOrigin: StoreOrigin;
  /** Imports the config's flow modules (once) and says which flows they defined. */
  loadFlows(): Promise<FlowCatalog>;
  /** Closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the project: finds and loads `keel.config.ts` with jiti (TypeScript, no build step), picks the
 * `@keel/core` to share with the flow modules, and configures its default runtime with the store
 * (`--store`, else `KEEL_STORE`, else the config's, else `./.keel` next to the config).
 */
export async function openProject(options: ProjectOptions): Promise<Project> {
  const configFile = findConfig(options.cwd, options.config);
  if (configFile === undefined && options.requireConfig) throw new ConfigNotFoundError({ directory: options.cwd });
  const root = configFile !== undefined ? dirname(configFile) : options.cwd;
  const resolver = createJiti(pathToFileURL(`${root}/`).href, { fsCache: false, moduleCache: false });
  const core = await loadKeelCore(resolver, root);
  const ownIndex: unknown = await import('../index.js');
  const loader = createJiti(configFile !== undefined ? pathToFileURL(configFile).href : pathToFileURL(`${root}/`).href, {
    interopDefault: true,
    // `@keel/cli` is the package's name; `keel` is what configs written before the rename import.
    virtualModules: { '@keel/cli': ownIndex, keel: ownIndex, ...core.virtualModules },
  });
  const config = configFile !== undefined ? await loadConfig(loader, configFile) : undefined;

  let storeUrl: string | Store;
  let storeOrigin: StoreOrigin;
  if (options.store !== undefined) {
    storeUrl = resolveStoreUrl(options.store, options.cwd);
    storeOrigin = 'flag';
  } else if (options.environment.KEEL_STORE) {
    storeUrl = resolveStoreUrl(options.environment.KEEL_STORE, options.cwd);
    storeOrigin = 'environment';
  } else if (config?.store !== undefined) {
    storeUrl = typeof config.store === 'string' ? resolveStoreUrl(config.store, root) : config.store;
    storeOrigin = 'config';
  } else {
    storeUrl = resolveStoreUrl('./.keel', root);
    storeOrigin = 'default';
  }
  const store = typeof storeUrl === 'string' ? await storeSource(storeUrl, resolver, root) : storeUrl;
  const storeLabel = typeof storeUrl === 'string' ? redactStoreUrl(storeUrl) : `${storeUrl.name} ${storeUrl.location}`;

  const runtime = core.defaultRuntime();
  // The environment wins over the config: an operator sets a deployment's version without editing code.
  const codeVersion = options.environment.KEEL_CODE_VERSION?.trim() || config?.codeVersion;
  const configureRuntime = () =>
    core.module.configure({
      store,
      ...(codeVersion !== undefined ? { codeVersion } : {}),
      ...(config?.compatibleWith !== undefined ? { compatibleWith: config.compatibleWith } : {}),
      ...(config?.leaseTtlMs !== undefined ? { leaseTtlMs: config.leaseTtlMs } : {}),
      ...(config?.capture !== undefined ? { capture: config.capture } : {}),
    });
  configureRuntime();

  let catalog: Promise<FlowCatalog> | undefined;
  const loadFlows = async (): Promise<FlowCatalog> => {
    if (!config || !configFile) throw new ConfigNotFoundError({ directory: options.cwd });
    const patterns = typeof config.flows === 'string' ? [config.flows] : config.flows;
    const files = await expandModulePatterns(patterns, root, relative(options.cwd, configFile) || configFile);
    const moduleOf = new Map<string, string>();
    const modules: string[] = [];
    for (const file of files) {
      const shown = relative(root, file);
      const before = new Set(runtime.flows());
      try {
        await loader.import(file);
      } catch (error) {
        throw new FlowModuleImportError({ module: shown, cause: error });
      }
      modules.push(shown);
      for (const name of runtime.flows()) if (!before.has(name)) moduleOf.set(name, shown);
    }
    // A flow module may call configure() itself (for scripts); for the CLI the config decides.
    configureRuntime();
    return { names: runtime.flows(), moduleOf, modules };
  };

  return {
    root,
    configFile,
    config,
    core,
    runtime,
    storeLabel,
    storeUrl: typeof storeUrl === 'string' ? storeUrl : undefined,
    storeOrigin,
    loadFlows: () => (catalog ??= loadFlows()),
    close: () => runtime.close(),
  };
}

async function loadConfig(loader: Jiti, file: string): Promise<KeelConfig> {
  let loaded: unknown;
  try {
    loaded = await loader.import(file, { default: true });
  } catch (error) {
    throw new ConfigInvalidError({ file, problem: `it failed to load: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
  if (typeof loaded !== 'object' || loaded === null) {
    throw new ConfigInvalidError({ file, problem: 'it must `export default defineConfig({ store, flows })`.' });
  }
  const config = loaded as Record<string, unknown>;
  const flows = config.flows;
  if (!(typeof flows === 'string' || (Array.isArray(flows) && flows.every((entry) => typeof entry === 'string')))) {
    throw new ConfigInvalidError({ file, problem: "`flows` must be a module path or glob, or a list of them, e.g. flows: ['./flows/*.ts']." });
  }
  const store = config.store;
  if (store !== undefined && typeof store !== 'string' && !(typeof store === 'object' && store !== null && 'specificationVersion' in store)) {
    throw new ConfigInvalidError({ file, problem: '`store` must be a store URL (./.keel, sqlite:./keel.db, postgres://…) or a Store.' });
  }
  for (const field of ['codeVersion'] as const) {
    if (config[field] !== undefined && typeof config[field] !== 'string') throw new ConfigInvalidError({ file, problem: `\`${field}\` must be a string.` });
  }
  const compatibleWith = config.compatibleWith;
  if (compatibleWith !== undefined && !(Array.isArray(compatibleWith) && compatibleWith.every((entry) => typeof entry === 'string' && entry !== ''))) {
    throw new ConfigInvalidError({ file, problem: "`compatibleWith` must be a list of code versions, e.g. compatibleWith: ['v1']." });
  }
  if (config.leaseTtlMs !== undefined && !(typeof config.leaseTtlMs === 'number' && config.leaseTtlMs > 0)) {
    throw new ConfigInvalidError({ file, problem: '`leaseTtlMs` must be a positive number of milliseconds.' });
  }
  return config as unknown as KeelConfig;
}
