import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandModulePatterns } from '../src/project/module-patterns.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'keel-patterns-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

for (const file of [
  'flows/a.ts',
  'flows/b.mts',
  'flows/types.d.ts',
  'flows/.hidden.ts',
  'flows/nested/c.ts',
  'flows/node_modules/x/d.ts',
  'agents/e.ts',
  'single.ts',
]) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), '');
}

const expand = async (patterns: string[]) => (await expandModulePatterns(patterns, root, 'keel.config.ts')).map((file) => relative(root, file));

describe('flow module patterns', () => {
  it('expands *, ** and ? relative to the config, skipping .d.ts, dot files and node_modules', async () => {
    expect(await expand(['./flows/*.ts'])).toEqual(['flows/a.ts']);
    expect(await expand(['flows/*ts'])).toEqual(['flows/a.ts', 'flows/b.mts']);
    expect(await expand(['flows/**/*.ts'])).toEqual(['flows/a.ts', 'flows/nested/c.ts']);
    expect(await expand(['*/?.ts'])).toEqual(['agents/e.ts', 'flows/a.ts']);
    expect(await expand(['single.ts', './flows/*.ts', 'single.ts'])).toEqual(['single.ts', 'flows/a.ts']);
  });

  it('names a listed module that does not exist', async () => {
    await expect(expand(['./flows/missing.ts'])).rejects.toThrow('the flow module "./flows/missing.ts" does not exist');
    expect(await expand(['./nothing/*.ts'])).toEqual([]);
  });
});
