import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bin,
  cleanEnvironment,
  createProject,
  keel,
  keelJson,
  killChildren,
  linkStorePackages,
  removeProjects,
  startKeel,
  until,
  writeFiles,
} from './cli-harness.js';
import { createTestSchema, type TestSchema } from './postgres-schema.js';

// An operator looking at a store from a folder without the project (no keel.config.ts): `keel serve`,
// `keel mcp` and the CLI inspect, give input and cancel; what needs a flow's code says so and points to
// --config. The project itself (with the code) makes the executions and, with a worker, finishes them.

const approvalFlow = `import { checkpoint, flow, wait } from '@keel/core';
import { z } from 'zod';

export const approval = flow('approval', async (input: { item: string }) => {
  const quote = await checkpoint('quote', () => input.item.length * 10);
  const ok = await wait('approve', { schema: z.boolean(), question: 'Spend ' + quote + '?' });
  return ok ? 'bought ' + input.item : 'not bought';
});
`;

const children: ReturnType<typeof startKeel>[] = [];
const schemas: TestSchema[] = [];

afterAll(async () => {
  await killChildren(children);
  for (const schema of schemas.splice(0)) await schema.drop();
  removeProjects();
});

/** The project, with its flows; executions are made there, on `store`. */
async function projectWithFlows(): Promise<string> {
  const project = createProject('link');
  linkStorePackages(project);
  expect((await keel(project, ['init'])).code).toBe(0);
  writeFiles(project, { 'flows/approval.ts': approvalFlow });
  return project;
}

/** A folder with no config and no flows: only the store packages (and the CLI's own @keel/core). */
function bareFolder(): string {
  const folder = createProject('none');
  mkdirSync(join(folder, 'node_modules', '@keel'), { recursive: true });
  linkStorePackages(folder);
  return folder;
}

/** A waiting execution of `approval`, made by the project. */
async function waitingExecution(project: string, store: string, item: string): Promise<string> {
  const run = await keel(project, ['run', 'approval', '--input', JSON.stringify({ item }), '--store', store, '--json']);
  expect(run.code, run.stderr).toBe(3);
  return (JSON.parse(run.stdout) as { executionId: string }).executionId;
}

async function executionOf(folder: string, store: string, executionId: string) {
  return (await keelJson(folder, ['executions', 'show', executionId, '--store', store])).execution as {
    status: string;
    output?: unknown;
    waits: Array<{ name: string; status: string }>;
  };
}

/** The project with two waiting executions on a fresh store, and a bare folder to look at it from. */
async function scenario(storeFor: (project: string) => Promise<string>) {
  const project = await projectWithFlows();
  const store = await storeFor(project);
  const waiting = await waitingExecution(project, store, 'lamp');
  const other = await waitingExecution(project, store, 'desk');
  return { project, store, waiting, other, bare: bareFolder() };
}

/** `other` was cancelled from the bare folder; `waiting` got `true` there, and the project's worker (which has the code) finishes it. */
async function expectAnsweredAndCancelled({ project, store, waiting, other, bare }: Awaited<ReturnType<typeof scenario>>): Promise<void> {
  expect((await executionOf(bare, store, other)).status).toBe('cancelled');
  const worker = await keel(project, ['worker', '--once', '--store', store]);
  expect(worker.code, worker.stdout + worker.stderr).toBe(0);
  expect(await executionOf(bare, store, waiting)).toMatchObject({ status: 'completed', output: 'bought lamp' });
}

const stores: Array<[string, (project: string) => Promise<string>]> = [
  ['lowdb', async (project) => join(project, '.keel')],
  [
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema();
      schemas.push(schema);
      return schema.url;
    },
  ],
];

describe.concurrent.each(stores)('on a bare %s store (no keel.config.ts)', (_name, storeFor) => {
  it('the CLI shows, gives input and cancels; resume, replay and input --resume say the code is not loaded and change nothing', async () => {
    const scene = await scenario(storeFor);
    const { store, waiting, other, bare } = scene;

    expect((await keel(bare, ['executions', 'list', '--store', store])).stdout).toContain(waiting);
    for (const [args, operation] of [
      [['executions', 'resume', waiting], 'resume'],
      [['executions', 'replay', waiting], 'replay'],
      [['executions', 'input', waiting, '--value', 'true', '--resume'], 'resume'],
    ] as const) {
      const refused = await keel(bare, [...args, '--store', store]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`Cannot ${operation} execution ${waiting} (flow "approval"): the flow's code is not loaded here.`);
      expect(refused.stderr).toContain('--config <path to keel.config.ts>');
      expect(refused.stderr).not.toContain('keel init');
    }
    expect((await executionOf(bare, store, waiting)).waits).toMatchObject([{ name: 'approve', status: 'pending' }]);

    expect((await keel(bare, ['executions', 'input', waiting, '--value', 'true', '--store', store])).code).toBe(0);
    expect((await keel(bare, ['executions', 'cancel', other, '--store', store])).code).toBe(0);
    await expectAnsweredAndCancelled(scene);
  }, 120_000);

  it('keel serve answers inspection, input and cancel, and 409 flow_code_not_loaded for resume, replay and run', async () => {
    const scene = await scenario(storeFor);
    const { store, waiting, other, bare } = scene;

    const server = startKeel(bare, ['serve', '--port', '0'], { KEEL_STORE: store });
    children.push(server);
    // Its last start-up line: the ones before it (the address, the note about the store) are out by then.
    await until('the server to finish starting', () => server.output().stdout.includes('Ctrl-C to stop.'), 60_000);
    const url = /Keel dashboard and API: (http:\/\/\S+)/.exec(server.output().stdout)![1]!;
    expect(server.output().stdout).toContain('No keel.config.ts here: serving the store alone');
    const post = (path: string, body: unknown = {}) =>
      fetch(`${url}/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const listed = (await (await fetch(`${url}/api/executions`)).json()) as unknown;
    expect(JSON.stringify(listed)).toContain(waiting);
    for (const [path, operation] of [
      [`/executions/${waiting}/resume`, 'resume'],
      [`/executions/${waiting}/replay`, 'replay'],
      ['/flows/approval/executions', 'run'],
    ] as const) {
      const refused = await post(path, path.endsWith('/executions') ? { input: { item: 'chair' } } : {});
      expect(refused.status).toBe(409);
      const { error } = (await refused.json()) as { error: { code: string; message: string; flow: string; operation: string } };
      expect(error).toMatchObject({ code: 'flow_code_not_loaded', flow: 'approval', operation });
      expect(error.message).toContain("the flow's code is not loaded here");
      expect(error.message).toContain('--config <path to keel.config.ts>');
    }

    const given = await post(`/executions/${waiting}/waits/approve/input?resume=1`, true);
    expect(given.status).toBe(200);
    // The input is stored; the resume it asked for could not start here, and says why.
    expect(await given.json()).toMatchObject({ pending: [], resume: { started: false, error: { code: 'flow_code_not_loaded' } } });
    expect((await post(`/executions/${other}/cancel`)).status).toBe(200);
    server.kill('SIGINT');
    expect((await server.exited).code).toBe(0);

    await expectAnsweredAndCancelled(scene);
  }, 120_000);

  it('keel mcp over stdio inspects, gives input and cancels, and answers resume and replay with a tool error pointing to --config', async () => {
    const scene = await scenario(storeFor);
    const { store, waiting, other, bare } = scene;

    const client = new Client({ name: 'bare-store-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bin, 'mcp'],
        cwd: bare,
        env: cleanEnvironment({ KEEL_STORE: store }) as Record<string, string>,
        stderr: 'pipe',
      }),
    );
    try {
      const shown = await client.callTool({ name: 'get_execution', arguments: { executionId: waiting } });
      expect(shown.isError).toBeFalsy();
      expect(JSON.stringify(shown.content)).toContain('approve');
      for (const [name, operation] of [
        ['resume_execution', 'resume'],
        ['replay_execution', 'replay'],
      ] as const) {
        const refused = await client.callTool({ name, arguments: { executionId: waiting } });
        expect(refused.isError).toBe(true);
        const text = JSON.stringify(refused.content);
        expect(text).toContain(`FlowCodeNotLoadedError: Cannot ${operation} execution ${waiting}`);
        expect(text).toContain('--config <path to keel.config.ts>');
      }
      const given = await client.callTool({ name: 'give_input', arguments: { executionId: waiting, wait: 'approve', value: true } });
      expect(given.isError, JSON.stringify(given.content)).toBeFalsy();
      const cancelled = await client.callTool({ name: 'cancel_execution', arguments: { executionId: other } });
      expect(cancelled.isError, JSON.stringify(cancelled.content)).toBeFalsy();
    } finally {
      await client.close();
    }
    await expectAnsweredAndCancelled(scene);
  }, 120_000);
});
