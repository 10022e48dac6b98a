import { afterAll, describe, expect, it } from 'vitest';
import { createProject, keel, keelJson, removeProjects, writeFiles } from './cli-harness.js';

// A package in the project's node_modules that makes calls durable the way adapters do: it imports
// @keel/core itself, natively, from the project's install.
const helperPackage = {
  'node_modules/durable-helper/package.json': JSON.stringify({ name: 'durable-helper', type: 'module', exports: './index.js' }),
  'node_modules/durable-helper/index.js': `import { checkpoint } from '@keel/core';
export function double(value) {
  return checkpoint('helper', () => value * 2, { kind: 'tool' });
}
`,
};

const usesHelper = `import { checkpoint, flow } from '@keel/core';
import { double } from 'durable-helper';

export const combined = flow('combined', async () => {
  const own = await checkpoint('own', () => 20);
  return own + (await double(11));
});
`;

afterAll(removeProjects);

// Each test has its own project, so they run side by side (the CLI processes are what takes time).
describe.concurrent('the @keel/core the CLI shares with the flow modules', () => {
  it("uses the project's own copy when it has one, so flows and packages that import it share one runtime", async () => {
    // A copy at its own real path: a second instance, distinct from the CLI's @keel/core.
    const project = createProject('copy');
    expect((await keel(project, ['init'])).code).toBe(0);
    writeFiles(project, { ...helperPackage, 'flows/combined.ts': usesHelper });
    const run = await keelJson(project, ['run', 'combined']);
    expect(run).toMatchObject({ status: 'completed', output: 42 });
    const shown = await keelJson(project, ['executions', 'show', run.executionId]);
    // The helper's checkpoint is recorded only if its @keel/core is the one the flow runs in.
    expect(shown.checkpoints.map((record: { id: string; kind: string }) => [record.id, record.kind])).toEqual([
      ['own:1', 'step'],
      ['helper:1', 'tool'],
    ]);
  });

  it('uses its own copy for a project without @keel/core (a global keel), and init says to install it', async () => {
    const project = createProject('none');
    const init = await keel(project, ['init']);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('@keel/core is not installed in this project');
    const run = await keel(project, ['run', 'hello', '--input', '{"name":"Grace"}']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"greeting":"Hello, Grace!"');
  });

  it('reports a flow module that fails to import by its path, and a config without flows', async () => {
    const project = createProject('link');
    expect((await keel(project, ['init'])).code).toBe(0);
    writeFiles(project, { 'flows/broken.ts': "import { nothing } from 'not-installed-anywhere';\nexport const x = nothing;\n" });
    const broken = await keel(project, ['run', 'hello']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('The flow module flows/broken.ts failed to import');
    expect(broken.stderr).toContain('not-installed-anywhere');

    writeFiles(project, { 'keel.config.ts': "export default { store: './.keel' };\n" });
    const invalid = await keel(project, ['run', 'hello']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('`flows` must be a module path or glob');

    const elsewhere = createProject('none');
    const missing = await keel(elsewhere, ['run', 'hello']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No keel.config.ts in');
    expect(missing.stderr).toContain('Run `keel init`');
  });
});
