import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigNotFoundError } from '../errors/config-not-found-error.js';

/** The names a config file may have, in the order they are looked for. */
export const configFileNames = ['keel.config.ts', 'keel.config.mts', 'keel.config.js', 'keel.config.mjs'] as const;

/**
 * Finds the config file: the one given with `--config`, else the first `keel.config.*` in `cwd` or
 * a folder above it (so commands work from a subfolder of the project, like git).
 * @returns The absolute path, or `undefined` when there is none and none was asked for.
 */
export function findConfig(cwd: string, explicit?: string): string | undefined {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file) || !statSync(file).isFile()) throw new ConfigNotFoundError({ directory: cwd, explicit });
    return file;
  }
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    for (const name of configFileNames) {
      const file = join(directory, name);
      if (existsSync(file)) return file;
    }
    if (dirname(directory) === directory) return undefined;
  }
}
