import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { ConfigInvalidError } from '../errors/config-invalid-error.js';

const globCharacters = /[*?[]/;

/**
 * Turns the config's `flows` entries (paths, or globs with `*`, `?`, `[…]` and `**`) into module
 * files, relative to the config's folder. Node 20 has no `fs.glob`, and this small subset is all a
 * list of flow modules needs. Folders named `node_modules` and dot-folders are not searched, and
 * declaration files (`.d.ts`) are skipped.
 * @returns Absolute paths, each once, in pattern order (matches of one glob sorted by name).
 */
export async function expandModulePatterns(patterns: readonly string[], baseDirectory: string, configFile: string): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (!globCharacters.test(pattern)) {
      const file = resolve(baseDirectory, pattern);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        throw new ConfigInvalidError({
          file: configFile,
          problem: `the flow module "${pattern}" does not exist (looked for ${file}). Fix the path in \`flows\`.`,
        });
      }
      files.push(file);
      continue;
    }
    const root = isAbsolute(pattern) ? sep : baseDirectory;
    const segments = pattern.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
    const matches = await walk(root, segments);
    files.push(...matches.filter((file) => !file.endsWith('.d.ts')).sort());
  }
  return [...new Set(files)];
}

async function walk(directory: string, segments: readonly string[]): Promise<string[]> {
  const [segment, ...rest] = segments;
  if (segment === undefined) {
    const info = await stat(directory).catch(() => undefined);
    return info?.isFile() ? [directory] : [];
  }
  if (segment === '..') return walk(resolve(directory, '..'), rest);
  if (segment === '**') {
    const here = await walk(directory, rest);
    const below = await Promise.all((await subdirectories(directory)).map((child) => walk(join(directory, child), segments)));
    return [...here, ...below.flat()];
  }
  if (!globCharacters.test(segment)) return walk(join(directory, segment), rest);
  const matcher = segmentMatcher(segment);
  const entries = await readdir(directory).catch(() => [] as string[]);
  const results = await Promise.all(entries.filter((name) => matcher.test(name)).map((name) => walk(join(directory, name), rest)));
  return results.flat();
}

async function subdirectories(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')).map((entry) => entry.name);
}

function segmentMatcher(segment: string): RegExp {
  let source = '';
  for (let index = 0; index < segment.length; index++) {
    const character = segment[index]!;
    if (character === '*') source += '[^/]*';
    else if (character === '?') source += '[^/]';
    else if (character === '[') {
      const end = segment.indexOf(']', index + 1);
      if (end === -1) source += '\\[';
      else {
        source += `[${segment
          .slice(index + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        index = end;
      }
    } else source += character.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // A leading `*` does not match dot files, as in shells.
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${source}$`);
}
