import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test("the README's offline-model snippet runs as written, in the example folder, on the build", async () => {
  const readme = readFileSync(path.join(projectDir, 'README.md'), 'utf8');
  const snippet = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!).find((code) => code.includes('new OfflineScoutModel()'));
  expect(snippet).toBeDefined();
  // A scratch folder inside the example (ignored by git), so `ai` and `./dist/index.js` resolve as they would for a reader.
  const scratch = path.join(projectDir, '.tmp', `readme-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const file = path.join(scratch, 'snippet.mjs');
  try {
    writeFileSync(file, snippet!.replace("'./dist/index.js'", "'../../dist/index.js'"));
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: projectDir });
    expect(stdout).toMatch(/^# News Scout brief: climate, chips/);
    expect(stdout).toContain('Veridian tapes out a 2 nm inference chip built for agent workloads');
    const [input, output] = stdout.trim().split('\n').at(-1)!.split(' ').map(Number);
    expect(input).toBeGreaterThan(1000);
    expect(output).toBeGreaterThan(100);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    try {
      rmdirSync(path.dirname(scratch)); // only if empty: another scratch folder may be in use
    } catch {
      // Not empty, or already gone.
    }
  }
});
