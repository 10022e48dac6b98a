import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createProject,
  jsonLines,
  keel,
  killChildren,
  linkStorePackages,
  removeProjects,
  startKeel,
  until,
  writeFiles,
  type CliResult,
} from './cli-harness.js';
import { createTestSchema, type TestSchema } from './postgres-schema.js';

// The order flow of the code deployed as v1, v2, …: the version comes from KEEL_CODE_VERSION, and every
// side effect appends "<executionId> <step> <version>" to the log the input names, so a test can see
// which code ran what.
const orderFlow = `import { appendFileSync } from 'node:fs';
import { checkpoint, flow, wait } from '@keel/core';
import { z } from 'zod';

const effect = (log: string, executionId: string, step: string) =>
  appendFileSync(log, executionId + ' ' + step + ' ' + (process.env.KEEL_CODE_VERSION ?? '?') + '\\n');

export const order = flow('order', async (input: { item: string; log: string }) => {
  const quote = await checkpoint('quote', ({ executionId }) => (effect(input.log, executionId, 'quote'), input.item.length * 10));
  const ok = await wait('approve', { schema: z.boolean(), question: 'Spend ' + quote + '?' });
  return checkpoint('buy', ({ executionId }) => (effect(input.log, executionId, 'buy'), ok ? 'bought ' + input.item : 'not bought'));
}, { input: z.object({ item: z.string(), log: z.string() }) });
`;

// The brief flow as v1 wrote it: one long brief, then an approval.
const briefV1 = `import { appendFileSync } from 'node:fs';
import { checkpoint, flow, wait } from '@keel/core';
import { z } from 'zod';

export const brief = flow('brief', async (input: { topic: string; log: string }) => {
  const text = await checkpoint('write_brief', ({ executionId }) => (appendFileSync(input.log, executionId + ' long v1\\n'), 'long brief on ' + input.topic));
  const ok = await wait('approve', { schema: z.boolean() });
  return ok ? text : 'rejected';
});
`;

// v2 of the brief flow, changed in place with patched(): it declares v1 compatible, and executions of
// v1 that already wrote their long brief keep that branch.
const briefV2 = `import { appendFileSync } from 'node:fs';
import { checkpoint, flow, patched, wait } from '@keel/core';
import { z } from 'zod';

export const brief = flow('brief', async (input: { topic: string; log: string }) => {
  const text = patched('shorter-brief')
    ? await checkpoint('write_short_brief', ({ executionId }) => (appendFileSync(input.log, executionId + ' short v2\\n'), 'short brief on ' + input.topic))
    : await checkpoint('write_brief', ({ executionId }) => (appendFileSync(input.log, executionId + ' long v2\\n'), 'long brief on ' + input.topic));
  const ok = await wait('approve', { schema: z.boolean() });
  return ok ? text : 'rejected';
});
`;

// v2 of the order flow under its own config: same steps, a changed body (a new price), and it declares
// v1 compatible.
const orderV2 = orderFlow.replace("(process.env.KEEL_CODE_VERSION ?? '?')", "'v2'").replace('input.item.length * 10', 'input.item.length * 12');

const files = {
  'keel.config.ts': `import { defineConfig } from '@keel/cli';\nexport default defineConfig({ flows: ['./flows/*.ts'] });\n`,
  'keel.v2.config.ts': `import { defineConfig } from '@keel/cli';\nexport default defineConfig({ flows: ['./v2/*.ts'], codeVersion: 'v2', compatibleWith: ['v1'] });\n`,
  'keel.v1.config.ts': `import { defineConfig } from '@keel/cli';\nexport default defineConfig({ flows: ['./v1/*.ts'], codeVersion: 'v1' });\n`,
  'flows/order.ts': orderFlow,
  'v1/brief.ts': briefV1,
  'v2/brief.ts': briefV2,
  'v2/order.ts': orderV2,
};

const schemas: TestSchema[] = [];
const children: ReturnType<typeof startKeel>[] = [];

afterEach(() => killChildren(children));

afterAll(async () => {
  for (const schema of schemas.splice(0)) await schema.drop();
  removeProjects();
});

/** A project with the flows above, on lowdb (its ./.keel) or on a fresh PostgreSQL schema. */
async function versionedProject(store: 'lowdb' | 'postgres') {
  const root = createProject('link');
  linkStorePackages(root);
  writeFiles(root, files);
  const environment: Record<string, string> = {};
  if (store === 'postgres') {
    const schema = await createTestSchema();
    schemas.push(schema);
    environment.KEEL_STORE = schema.url;
  }
  const log = join(root, 'effects.log');
  const run = (args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> => keel(root, args, { ...environment, ...extra });
  const json = async <T = any>(args: readonly string[], extra: Record<string, string> = {}): Promise<T> => {
    const result = await run([...args, '--json'], extra);
    if (result.code !== 0) throw new Error(`keel ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as T;
  };
  return {
    root,
    log,
    run,
    json,
    /** `keel worker` of a code version, running in the background. */
    worker(version: string, ...args: string[]) {
      const child = startKeel(root, ['worker', '--json', '--poll', '20', ...args], { ...environment, KEEL_CODE_VERSION: version });
      children.push(child);
      return child;
    },
    /** The side-effect log lines of one execution. */
    effects(executionId: string): string[] {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith(`${executionId} `));
    },
    /** `keel versions --json` as `flow version` → counts, tags and retirable. */
    async versions(extra: Record<string, string> = {}) {
      const summaries = await json<any[]>(['versions'], extra);
      return Object.fromEntries(
        summaries.map((summary) => [
          `${summary.flow} ${summary.version}`,
          { ...pick(summary.executions), tags: summary.tags, retirable: summary.retirable, served: summary.served },
        ]),
      );
    },
  };
}

function pick(counts: Record<string, number>) {
  const kept: Record<string, number> = {};
  for (const [status, count] of Object.entries(counts)) if (count) kept[status] = count;
  return kept;
}

const events = jsonLines;

describe.each(['lowdb', 'postgres'] as const)('code versions with real processes on %s', (store) => {
  it('pins a waiting v1 execution: a v2 worker leaves it alone (said once), a v1 worker completes it; a v2 declaring v1 compatible completes another', async () => {
    const project = await versionedProject(store);
    const started = await project.run(['run', 'order', '--json', '--input', JSON.stringify({ item: 'lamp', log: project.log })], { KEEL_CODE_VERSION: 'v1' });
    expect(started.code).toBe(3);
    const first = JSON.parse(started.stdout).executionId as string;
    expect((await project.json(['executions', 'show', first])).execution.codeVersion).toBe('v1');
    expect((await project.run(['executions', 'input', first, '--value', 'true'])).code).toBe(0);

    // A v2 worker: says which version it serves, reports the v1 execution once however often it polls,
    // and runs v2's own work meanwhile.
    const v2 = project.worker('v2');
    await until('the v2 worker to skip the v1 execution', () => events(v2).some((event) => event.event === 'skipped' && event.executionId === first));
    expect(events(v2).find((event) => event.event === 'serving')?.versions).toEqual([{ flow: 'order', version: 'v2', compatibleWith: [] }]);
    const queued = await project.json(['run', 'order', '--queue', '--input', JSON.stringify({ item: 'desk', log: project.log })], { KEEL_CODE_VERSION: 'v2' });
    await until('the v2 worker to run its own execution', () =>
      events(v2).some((event) => event.executionId === queued.executionId && event.status === 'waiting'),
    );
    // It ran that one in a later pass than the one that first skipped the v1 execution, so it looked at
    // the v1 execution more than once by now.
    v2.kill('SIGTERM');
    expect((await v2.exited).code).toBe(0);
    const skips = events(v2).filter((event) => event.event === 'skipped' && event.executionId === first);
    expect(skips).toEqual([expect.objectContaining({ codeVersion: 'v1', runtimeVersion: 'v2', flow: 'order' })]);
    expect(v2.output().stdout).not.toContain('could not run');
    // v2 never ran any of it.
    expect(project.effects(first)).toEqual([`${first} quote v1`]);
    expect((await project.json(['executions', 'show', first])).execution.status).toBe('waiting');

    // Resuming it by hand with v2 is refused, naming both versions; nothing changes.
    const before = (await project.json(['executions', 'show', first])).execution;
    const refused = await project.run(['executions', 'resume', first], { KEEL_CODE_VERSION: 'v2' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('started by code version "v1"');
    expect(refused.stderr).toContain('runs "v2"');
    const after = (await project.json(['executions', 'show', first])).execution;
    expect({ status: after.status, sessions: after.sessions, version: after.version }).toEqual({
      status: before.status,
      sessions: before.sessions,
      version: before.version,
    });
    expect(project.effects(first)).toEqual([`${first} quote v1`]);

    // A v1 worker completes it.
    expect((await project.run(['worker', '--once'], { KEEL_CODE_VERSION: 'v1' })).code).toBe(0);
    const done = (await project.json(['executions', 'show', first])).execution;
    expect({ status: done.status, output: done.output }).toEqual({ status: 'completed', output: 'bought lamp' });
    expect(project.effects(first)).toEqual([`${first} quote v1`, `${first} buy v1`]);

    // compatibleWith: a v1 execution answered, then v2 code that declares v1 compatible completes it.
    const second = JSON.parse(
      (await project.run(['run', 'order', '--json', '--input', JSON.stringify({ item: 'chair', log: project.log })], { KEEL_CODE_VERSION: 'v1' })).stdout,
    ).executionId as string;
    expect((await project.run(['executions', 'input', second, '--value', 'true'])).code).toBe(0);
    const compatible = await project.run(['worker', '--once', '--json', '--config', 'keel.v2.config.ts']);
    expect(compatible.code).toBe(0);
    expect(compatible.stdout).toContain('"compatibleWith":["v1"]');
    expect((await project.json(['executions', 'show', second])).execution).toMatchObject({ status: 'completed', output: 'bought chair', codeVersion: 'v1' });
    expect(project.effects(second)).toEqual([`${second} quote v1`, `${second} buy v2`]);
  }, 120_000);

  it('patched(): an old execution replays its old branch under the new code, a new one takes the new branch', async () => {
    const project = await versionedProject(store);
    const old = await project.run(['run', 'brief', '--json', '--config', 'keel.v1.config.ts', '--input', JSON.stringify({ topic: 'ai', log: project.log })]);
    expect(old.code).toBe(3);
    const oldId = JSON.parse(old.stdout).executionId as string;
    // KEEL_CODE_VERSION wins over the config's codeVersion.
    const overridden = JSON.parse(
      (
        await project.run(['run', 'brief', '--json', '--config', 'keel.v1.config.ts', '--input', JSON.stringify({ topic: 'x', log: project.log })], {
          KEEL_CODE_VERSION: 'v1-hotfix',
        })
      ).stdout,
    );
    expect((await project.json(['executions', 'show', overridden.executionId])).execution.codeVersion).toBe('v1-hotfix');

    const fresh = await project.run(['run', 'brief', '--json', '--config', 'keel.v2.config.ts', '--input', JSON.stringify({ topic: 'ml', log: project.log })]);
    expect(fresh.code).toBe(3);
    const freshId = JSON.parse(fresh.stdout).executionId as string;
    for (const id of [oldId, freshId]) expect((await project.run(['executions', 'input', id, '--value', 'true'])).code).toBe(0);
    // v2 (compatible with v1) continues both.
    const resumed = await project.run(['worker', '--once', '--json', '--config', 'keel.v2.config.ts']);
    expect(resumed.code).toBe(0);
    expect((await project.json(['executions', 'show', oldId])).execution).toMatchObject({ status: 'completed', output: 'long brief on ai', codeVersion: 'v1' });
    expect((await project.json(['executions', 'show', freshId])).execution).toMatchObject({
      status: 'completed',
      output: 'short brief on ml',
      codeVersion: 'v2',
    });
    // The old one's brief was written once, by v1, and replayed; the new one wrote the short brief.
    expect(project.effects(oldId)).toEqual([`${oldId} long v1`]);
    expect(project.effects(freshId)).toEqual([`${freshId} short v2`]);
    const freshCheckpoints = (await project.json(['executions', 'show', freshId])).checkpoints.map((checkpoint: { id: string }) => checkpoint.id);
    expect(freshCheckpoints).toContain('patched:shorter-brief');
    // A replay runs on the replaying code's version and records the original's.
    const replay = await project.run(['executions', 'replay', oldId, '--json', '--config', 'keel.v2.config.ts']);
    expect(replay.code, replay.stderr).toBe(0);
    const replayId = JSON.parse(replay.stdout).executionId as string;
    expect((await project.json(['executions', 'show', replayId])).execution).toMatchObject({
      codeVersion: 'v2',
      replayOf: { executionId: oldId, codeVersion: 'v1' },
    });
    expect((await project.run(['executions', 'show', replayId])).stdout).toMatch(/code\s+v2 \(replaying a run of v1\)/);
    // The v1-hotfix execution is no version v2 declared compatible: it stays waiting.
    expect((await project.json(['executions', 'show', overridden.executionId])).execution.status).toBe('waiting');
  }, 120_000);

  it('deploy → invoke --tag prod → tag moved: new invocations go to the new version, old ones finish on the old; keel versions counts each step; bad input changes nothing', async () => {
    const project = await versionedProject(store);
    const input = (item: string) => JSON.stringify({ item, log: project.log });

    const deployed = await project.json(['deploy', 'order', '--tag', 'prod'], { KEEL_CODE_VERSION: 'v1' });
    expect(deployed).toEqual([expect.objectContaining({ flow: 'order', version: 'v1', tags: ['prod'], created: true })]);
    expect(deployed[0].inputSchema).toMatchObject({ type: 'object' });
    const again = await project.run(['deploy', 'order', '--tag', 'prod'], { KEEL_CODE_VERSION: 'v1' });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('order v1 was already deployed (same code)');
    expect(await project.versions()).toEqual({ 'order v1': { tags: ['prod'], retirable: false, served: false } });

    const first = await project.run(['invoke', 'order', '--tag', 'prod', '--input', input('lamp')]);
    expect(first.code).toBe(0);
    const firstId = /queued (ex_\S+) \(order v1 via tag prod\)/.exec(first.stdout)?.[1];
    expect(firstId).toBeDefined();
    expect(await project.versions()).toEqual({ 'order v1': { queued: 1, tags: ['prod'], retirable: false, served: false } });
    // The worker of v1 serves it (and says so in keel versions run with that code).
    expect((await project.run(['worker', '--once'], { KEEL_CODE_VERSION: 'v1' })).code).toBe(0);
    expect(await project.versions({ KEEL_CODE_VERSION: 'v1' })).toEqual({ 'order v1': { waiting: 1, tags: ['prod'], retirable: false, served: true } });

    // Deploy v2 and move prod to it.
    expect((await project.json(['deploy', 'order'], { KEEL_CODE_VERSION: 'v2' }))[0]).toMatchObject({ version: 'v2', tags: [], created: true });
    const moved = await project.run(['tag', 'order', 'prod', 'v2']);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('prod → v2 (was v1');
    const second = await project.json(['invoke', 'order', '--input', input('desk')]);
    expect(second).toMatchObject({ version: 'v2', tag: 'prod', status: 'queued' });
    expect(await project.versions()).toEqual({
      'order v1': { waiting: 1, tags: [], retirable: false, served: false },
      'order v2': { queued: 1, tags: ['prod'], retirable: false, served: false },
    });

    // Bad input, each refused with exit 2 and nothing changed.
    const executionsBefore = (await project.json<any[]>(['executions', 'list'])).length;
    const unknownTag = await project.run(['invoke', 'order', '--tag', 'canary', '--input', input('x')]);
    expect({ code: unknownTag.code, message: unknownTag.stderr }).toMatchObject({
      code: 2,
      message: expect.stringContaining('Flow "order" has no deployed tag "canary" (deployed tags: prod)'),
    });
    const unknownVersion = await project.run(['invoke', 'order', '--version', 'v9', '--input', input('x')]);
    expect({ code: unknownVersion.code, message: unknownVersion.stderr }).toMatchObject({
      code: 2,
      message: expect.stringContaining('no deployed version "v9" (deployed versions: v1, v2)'),
    });
    const invalid = await project.run(['invoke', 'order', '--input', '{"item": 42}']);
    expect({ code: invalid.code, message: invalid.stderr }).toMatchObject({
      code: 2,
      message: expect.stringContaining('The input for flow "order" was refused'),
    });
    expect((await project.json<any[]>(['executions', 'list'])).length).toBe(executionsBefore);
    const deploymentsBefore = await project.versions();
    // v1 again, but with other code (the v2 module): deployments are immutable.
    const conflict = await project.run(['deploy', 'order', '--config', 'keel.v2.config.ts', '--tag', 'prod'], { KEEL_CODE_VERSION: 'v1' });
    expect({ code: conflict.code, message: conflict.stderr }).toMatchObject({
      code: 2,
      message: expect.stringContaining('Version "v1" of flow "order" was deployed on'),
    });
    const inUse = await project.run(['versions', 'remove', 'order', 'v1']);
    expect({ code: inUse.code, message: inUse.stderr }).toMatchObject({
      code: 2,
      message: expect.stringContaining('Version "v1" of flow "order" is still in use (1 waiting)'),
    });
    const tagged = await project.run(['versions', 'remove', 'order', 'v2']);
    expect({ code: tagged.code, message: tagged.stderr }).toMatchObject({ code: 2, message: expect.stringContaining('tag "prod"') });
    expect(await project.versions()).toEqual(deploymentsBefore);

    // The v2 worker takes the v2 invocation to its wait; the v1 execution stays as it is.
    const secondId = second.executionId as string;
    expect((await project.run(['worker', '--once'], { KEEL_CODE_VERSION: 'v2' })).code).toBe(0);
    expect(await project.versions()).toEqual({
      'order v1': { waiting: 1, tags: [], retirable: false, served: false },
      'order v2': { waiting: 1, tags: ['prod'], retirable: false, served: false },
    });
    // Both answered; each worker runs only its own version's execution.
    for (const id of [firstId!, secondId]) expect((await project.run(['executions', 'input', id, '--value', 'true'])).code).toBe(0);
    expect((await project.run(['worker', '--once'], { KEEL_CODE_VERSION: 'v2' })).code).toBe(0);
    expect(await project.versions()).toEqual({
      'order v1': { waiting: 1, tags: [], retirable: false, served: false },
      'order v2': { completed: 1, tags: ['prod'], retirable: false, served: false },
    });
    expect((await project.run(['worker', '--once'], { KEEL_CODE_VERSION: 'v1' })).code).toBe(0);
    expect(await project.versions()).toEqual({
      'order v1': { completed: 1, tags: [], retirable: true, served: false },
      'order v2': { completed: 1, tags: ['prod'], retirable: false, served: false },
    });
    expect(project.effects(firstId!)).toEqual([`${firstId} quote v1`, `${firstId} buy v1`]);
    expect(project.effects(secondId)).toEqual([`${secondId} quote v2`, `${secondId} buy v2`]);
    const table = await project.run(['versions']);
    expect(table.stdout).toMatch(/FLOW\s+VERSION\s+TAGS\s+QUEUED\s+RUNNING\s+WAITING\s+FAILED/);
    expect(table.stdout).toMatch(/order\s+v2\s+prod\s+0\s+0\s+0\s+0\s+1/);

    // Retired: v1 goes; its finished execution stays.
    expect((await project.run(['versions', 'remove', 'order', 'v1'])).code).toBe(0);
    expect((await project.json<any[]>(['deploy', 'order'], { KEEL_CODE_VERSION: 'v2' }))[0].created).toBe(false);
    const retired = await project.json<any[]>(['versions', '--flow', 'order']);
    expect(retired.map(({ version, deployedAt, executions }) => ({ version, deployed: deployedAt !== undefined, completed: executions.completed }))).toEqual([
      { version: 'v2', deployed: true, completed: 1 },
      { version: 'v1', deployed: false, completed: 1 },
    ]);
    expect((await project.json(['executions', 'show', firstId!])).execution.status).toBe('completed');
  }, 180_000);
});
