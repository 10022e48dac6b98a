import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A project whose adapter brought its own @keel/core (what npm installs when the adapter asks for a
// version the project's copy does not satisfy): two copies in one process. Built from the workspace's
// built packages, copied into a folder outside the workspace the way npm lays them out.

const workspace = resolve(import.meta.dirname, '..');
const projects: string[] = [];

afterAll(() => {
  for (const project of projects.splice(0)) rmSync(project, { recursive: true, force: true });
});

/** Copies a built workspace package into `target`, optionally at another version; its dependencies come from the workspace install. */
function installCopy(folder: string, target: string, version?: string): void {
  const source = join(workspace, 'packages', folder);
  mkdirSync(target, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(target, 'package.json'), JSON.stringify({ ...manifest, ...(version ? { version } : {}) }, null, 2));
  cpSync(join(source, 'dist'), join(target, 'dist'), { recursive: true });
}

/** A temporary project with `@keel/core` 0.1.0 and `@keel/adapter-raw`, the adapter with its own core at `adapterCore` (or none: deduped). */
function createProject(adapterCore: string | undefined): string {
  const project = realpathSync(mkdtempSync(join(tmpdir(), 'keel-two-cores-')));
  projects.push(project);
  const modules = join(project, 'node_modules');
  installCopy('core', join(modules, '@keel', 'core'));
  // core's own dependencies (ajv, lowdb) resolve from the workspace's install of it.
  symlinkSync(realpathSync(join(workspace, 'packages', 'core', 'node_modules')), join(modules, '@keel', 'core', 'node_modules'), 'dir');
  installCopy('adapter-raw', join(modules, '@keel', 'adapter-raw'));
  if (adapterCore !== undefined) {
    const nested = join(modules, '@keel', 'adapter-raw', 'node_modules', '@keel', 'core');
    installCopy('core', nested, adapterCore);
    symlinkSync(realpathSync(join(workspace, 'packages', 'core', 'node_modules')), join(nested, 'node_modules'), 'dir');
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'two-cores', private: true, type: 'module' }));
  writeFileSync(
    join(project, 'main.mjs'),
    `import { configure, flow } from '@keel/core';
import { durable } from '@keel/adapter-raw';

configure({ store: 'memory:' });
const lookUp = durable('look_up', async (city) => city.length, { kind: 'tool' });
const trip = flow('trip', async () => lookUp('Lisbon'));
const result = await trip.run({});
const { defaultRuntime } = await import('@keel/core');
const records = await (await defaultRuntime().store()).listCheckpoints(result.executionId);
console.log(JSON.stringify({ status: result.status, output: result.output, error: result.error && { name: result.error.name, message: result.error.message }, checkpoints: records.map((record) => record.id) }));
`,
  );
  return project;
}

function node(project: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['main.mjs'], { cwd: project }, (error, stdout, stderr) => done({ code: error ? (error.code as number) : 0, stdout, stderr }));
  });
}

describe.concurrent('two copies of @keel/core in one process', () => {
  it('a flow of one copy calling an adapter bound to the other fails with both copies named and how to fix it', async () => {
    const project = createProject('0.0.9');
    const result = await node(project);
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout);
    const running = join(project, 'node_modules', '@keel', 'core');
    const called = join(project, 'node_modules', '@keel', 'adapter-raw', 'node_modules', '@keel', 'core');
    // The flow fails at the call instead of running it outside the execution, unrecorded.
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'CoreDuplicateError' }, checkpoints: [] });
    expect(outcome.error.message).toContain(
      `Two copies of @keel/core are loaded: a flow runs in 0.1.0 at ${running}, and this call reached 0.0.9 at ${called}`,
    );
    expect(outcome.error.message).toContain('npm dedupe');
  });

  it('with one copy (deduped) the same program records the adapter call in the flow', async () => {
    const project = createProject(undefined);
    const result = await node(project);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', output: 6, checkpoints: ['look_up:1'] });
  });
});
