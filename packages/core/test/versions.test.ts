import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkpoint,
  createRuntime,
  DeploymentConflictError,
  DeploymentInUseError,
  DeploymentNotFoundError,
  DivergenceError,
  ExecutionVersionMismatchError,
  FlowInputInvalidError,
  lowdbStore,
  patched,
  wait,
  type Runtime,
  type Store,
} from '../src/index.js';
import { derivedCodeVersion } from '../src/runtime/code-version.js';
import { runInFlow } from '../src/adapter.js';

const opened: Runtime[] = [];
afterEach(async () => {
  for (const runtime of opened.splice(0)) await runtime.close();
  delete process.env.KEEL_CODE_VERSION;
  delete process.env.KEEL_COMPATIBLE_WITH;
});

/** A lowdb store in a fresh folder; each runtime opens its own instance of it, as processes would. */
function storeFolder(): string {
  return mkdtempSync(join(tmpdir(), 'keel-versions-'));
}

function runtimeOn(folder: string, options: { codeVersion?: string; compatibleWith?: string[] } = {}): Runtime {
  const runtime = createRuntime({ store: lowdbStore(folder), ...options });
  opened.push(runtime);
  return runtime;
}

/** An approval flow; `steps` counts the side effects of each step by name. */
function approvalFlow(runtime: Runtime, steps: Map<string, number>, body: 'v1' | 'v2-patched' | 'v2-unpatched' = 'v1') {
  const count = (name: string) => steps.set(name, (steps.get(name) ?? 0) + 1);
  return runtime.flow('brief', async (topic: string) => {
    const hits = await checkpoint('search', () => (count('search'), [`${topic}-1`, `${topic}-2`]));
    let brief: string;
    if (body === 'v1') brief = await checkpoint('write_brief', () => (count('write_brief'), `long brief on ${hits.join(', ')}`));
    else if (body === 'v2-unpatched') brief = await checkpoint('write_short_brief', () => (count('write_short_brief'), `short: ${hits[0]}`));
    else {
      brief = patched('shorter-brief')
        ? await checkpoint('write_short_brief', () => (count('write_short_brief'), `short: ${hits[0]}`))
        : await checkpoint('write_brief', () => (count('write_brief'), `long brief on ${hits.join(', ')}`));
    }
    const ok = await wait('approve', { schema: z.boolean(), question: 'Publish?' });
    return ok ? `published ${brief}` : 'rejected';
  });
}

async function executionOf(store: Store, id: string) {
  const execution = await store.getExecution(id);
  if (!execution) throw new Error(`no execution ${id}`);
  return execution;
}

describe('code versions', () => {
  it('records the configured version, else KEEL_CODE_VERSION, else the commit checked out', async () => {
    const folder = storeFolder();
    const explicit = runtimeOn(folder, { codeVersion: 'v7' });
    explicit.flow('f', async () => 1);
    expect(explicit.versionOf('f')).toEqual({ version: 'v7', compatibleWith: [] });

    const derived = runtimeOn(folder);
    derived.flow('f', async () => 1);
    // The commit of the checkout the tests run in, if they run in one (see the next test for the reading).
    expect(derived.versionOf('f').version).toBe(derivedCodeVersion());
    process.env.KEEL_CODE_VERSION = 'build-42';
    process.env.KEEL_COMPATIBLE_WITH = 'build-41, build-40';
    expect(derived.versionOf('f')).toEqual({ version: 'build-42', compatibleWith: ['build-41', 'build-40'] });
    const result = await derived.run('f', undefined);
    expect((await derived.executions.get(result.executionId)).codeVersion).toBe('build-42');
  });

  it('reads the commit from .git files: a branch ref, packed refs, a detached HEAD, a linked worktree; none outside a checkout', () => {
    const root = mkdtempSync(join(tmpdir(), 'keel-git-'));
    expect(derivedCodeVersion(root)).toBeUndefined();
    const commit = 'ab'.repeat(20);
    const other = 'cd'.repeat(20);
    const repo = join(root, 'repo');
    mkdirSync(join(repo, '.git', 'refs', 'heads'), { recursive: true });
    mkdirSync(join(repo, 'src', 'flows'), { recursive: true });
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'refs', 'heads', 'main'), `${commit}\n`);
    expect(derivedCodeVersion(join(repo, 'src', 'flows'))).toBe(`git:${commit.slice(0, 12)}`);

    const packed = join(root, 'packed');
    mkdirSync(join(packed, '.git'), { recursive: true });
    writeFileSync(join(packed, '.git', 'HEAD'), 'ref: refs/heads/release\n');
    writeFileSync(join(packed, '.git', 'packed-refs'), `# pack-refs with: peeled\n${other} refs/heads/release\n`);
    expect(derivedCodeVersion(packed)).toBe(`git:${other.slice(0, 12)}`);

    const detached = join(root, 'detached');
    mkdirSync(join(detached, '.git'), { recursive: true });
    writeFileSync(join(detached, '.git', 'HEAD'), `${other}\n`);
    expect(derivedCodeVersion(detached)).toBe(`git:${other.slice(0, 12)}`);

    const worktree = join(root, 'worktree');
    const worktreeGit = join(repo, '.git', 'worktrees', 'feature');
    mkdirSync(worktree, { recursive: true });
    mkdirSync(worktreeGit, { recursive: true });
    writeFileSync(join(worktree, '.git'), `gitdir: ${worktreeGit}\n`);
    writeFileSync(join(worktreeGit, 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(worktreeGit, 'commondir'), '../..\n');
    expect(derivedCodeVersion(worktree)).toBe(`git:${commit.slice(0, 12)}`);
  });

  it('pins an execution to its version: another version leaves it untouched and says why; its own version completes it', async () => {
    const folder = storeFolder();
    const v1Steps = new Map<string, number>();
    const v1 = runtimeOn(folder, { codeVersion: 'v1' });
    const waiting = await approvalFlow(v1, v1Steps).run('ai');
    expect(waiting.status).toBe('waiting');
    await v1.executions.input(waiting.executionId, 'approve', true);

    const v2Steps = new Map<string, number>();
    const v2 = runtimeOn(folder, { codeVersion: 'v2' });
    approvalFlow(v2, v2Steps, 'v2-unpatched');
    const store = await v2.store();
    const before = await executionOf(store, waiting.executionId);

    const skipped: unknown[] = [];
    expect(await v2.executions.recover({ onSkip: (execution) => skipped.push(execution) })).toEqual([]);
    expect(skipped).toEqual([{ executionId: waiting.executionId, flow: 'brief', codeVersion: 'v1', runtimeVersion: 'v2' }]);
    const refusal = await v2.executions.resume(waiting.executionId).catch((error: unknown) => error);
    expect(ExecutionVersionMismatchError.isInstance(refusal)).toBe(true);
    expect(refusal).toMatchObject({ executionVersion: 'v1', runtimeVersion: 'v2', flow: 'brief' });
    expect(String((refusal as Error).message)).toContain("compatibleWith: ['v1']");
    expect(await executionOf(store, waiting.executionId)).toStrictEqual(before);
    expect(v2Steps.size).toBe(0);

    const [report] = await v1.executions.recover();
    expect(report?.result).toMatchObject({ status: 'completed', output: 'published long brief on ai-1, ai-2' });
    expect(v1Steps).toEqual(
      new Map([
        ['search', 1],
        ['write_brief', 1],
      ]),
    );
  });

  it('a version that declares the old one compatible continues it', async () => {
    const folder = storeFolder();
    const v1 = runtimeOn(folder, { codeVersion: 'v1' });
    const waiting = await approvalFlow(v1, new Map()).run('ai');
    await v1.executions.input(waiting.executionId, 'approve', true);

    const v2Steps = new Map<string, number>();
    const v2 = runtimeOn(folder, { codeVersion: 'v2', compatibleWith: ['v1'] });
    approvalFlow(v2, v2Steps, 'v2-patched');
    const [report] = await v2.executions.recover();
    expect(report?.result).toMatchObject({ status: 'completed', output: 'published long brief on ai-1, ai-2' });
    // Every step of the old history was reused; none ran on v2.
    expect(v2Steps.size).toBe(0);
    const execution = await executionOf(await v2.store(), waiting.executionId);
    expect(execution.codeVersion).toBe('v1');
    const records = await v2.executions.checkpoints(waiting.executionId);
    // The wait completed in v2's session, and its record says so.
    expect(records.find((record) => record.id === 'approve:1')).toMatchObject({ status: 'completed', codeVersion: 'v2' });
    expect(records.find((record) => record.id === 'search:1')?.codeVersion).toBeUndefined();
  });

  it('runInFlow records the version of the flow body registered under its name, so that body resumes the execution', async () => {
    const folder = storeFolder();
    const runtime = runtimeOn(folder);
    // What an adapter does: the flow's own body for workers and resume, and runInFlow for a live call.
    const body = async () => {
      const answer = await wait('answer', { schema: z.string() });
      return `got ${answer}`;
    };
    runtime.flow('adhoc', body);
    const bodyVersion = runtime.versionOf('adhoc').version;
    const live = await runInFlow({ name: 'adhoc', key: 'thread-1', runtime }, async () => `live ${await wait('answer', { schema: z.string() })}`);
    expect(live.status).toBe('waiting');
    runtime.flow('adhoc', body);
    expect((await runtime.executions.get(live.executionId)).codeVersion).toBe(bodyVersion);
    await runtime.executions.input(live.executionId, 'answer', 'yes');
    expect(await runtime.executions.resume(live.executionId)).toMatchObject({ status: 'completed', output: 'got yes' });
  });
});

describe('patched()', () => {
  it('an old execution replays its old branch; a new one takes the new branch and keeps it after a wait', async () => {
    const folder = storeFolder();
    const v1 = runtimeOn(folder, { codeVersion: 'v1' });
    const old = await approvalFlow(v1, new Map()).run('old');

    const steps = new Map<string, number>();
    const v2 = runtimeOn(folder, { codeVersion: 'v2', compatibleWith: ['v1'] });
    const brief = approvalFlow(v2, steps, 'v2-patched');
    const fresh = await brief.run('new');
    expect(fresh.status).toBe('waiting');
    expect(steps).toEqual(
      new Map([
        ['search', 1],
        ['write_short_brief', 1],
      ]),
    );
    const marker = (await v2.executions.checkpoints(fresh.executionId)).find((record) => record.name === 'patched');
    expect(marker).toMatchObject({ id: 'patched:shorter-brief', status: 'completed', ordered: false, metadata: { patch: 'shorter-brief' } });

    await v2.executions.input(old.executionId, 'approve', true);
    await v2.executions.input(fresh.executionId, 'approve', true);
    expect(await brief.resume(old.executionId)).toMatchObject({ status: 'completed', output: 'published long brief on old-1, old-2' });
    expect(await brief.resume(fresh.executionId)).toMatchObject({ status: 'completed', output: 'published short: new-1' });
    // Both resumes reused everything: no step ran again.
    expect(steps).toEqual(
      new Map([
        ['search', 1],
        ['write_short_brief', 1],
      ]),
    );
    expect((await v2.executions.checkpoints(old.executionId)).some((record) => record.name === 'patched')).toBe(false);
  });

  it('an old execution that had not reached the patch takes the new branch', async () => {
    const folder = storeFolder();
    const v1 = runtimeOn(folder, { codeVersion: 'v1' });
    v1.flow('late', async () => {
      const first = await wait('go', { schema: z.string() });
      return checkpoint('old_step', () => `old ${first}`);
    });
    const waiting = await v1.run('late', undefined);
    await v1.executions.input(waiting.executionId, 'go', 'now');

    const v2 = runtimeOn(folder, { codeVersion: 'v2', compatibleWith: ['v1'] });
    v2.flow('late', async () => {
      const first = await wait('go', { schema: z.string() });
      return patched('new-step') ? checkpoint('new_step', () => `new ${first}`) : checkpoint('old_step', () => `old ${first}`);
    });
    expect(await v2.executions.resume(waiting.executionId)).toMatchObject({ status: 'completed', output: 'new now' });
  });

  it('without patched(), a changed step in a compatible version is a divergence naming both versions', async () => {
    const folder = storeFolder();
    const v1 = runtimeOn(folder, { codeVersion: 'v1' });
    const waiting = await approvalFlow(v1, new Map()).run('ai');
    await v1.executions.input(waiting.executionId, 'approve', true);
    const v2 = runtimeOn(folder, { codeVersion: 'v2', compatibleWith: ['v1'] });
    approvalFlow(v2, new Map(), 'v2-unpatched');
    const result = await v2.executions.resume(waiting.executionId);
    expect(result.status).toBe('failed');
    expect(DivergenceError.isInstance(result.error)).toBe(true);
    const error = result.error as DivergenceError;
    expect(error.recorded).toMatchObject({ name: 'write_brief', codeVersion: 'v1' });
    expect(error.current).toMatchObject({ name: 'write_short_brief', codeVersion: 'v2' });
    expect(error.message).toContain('recorded by code version "v1" and is being replayed by "v2"');
    expect(error.message).toContain('patched()');
  });

  it('outside a flow it returns true, and refuses an id that cannot name a record', () => {
    expect(patched('anything')).toBe(true);
    expect(() => patched('a/b')).toThrow(/patch id/);
  });
});

describe('deployments', () => {
  function deployable(folder: string, version: string) {
    const runtime = runtimeOn(folder, { codeVersion: version });
    runtime.flow('triage', async (input: { ticket: string }) => `ok ${input.ticket}`, {
      input: z.object({ ticket: z.string() }),
    });
    return runtime;
  }

  it('deploy registers an immutable version with its input schema; the same content again is a no-op, other content is refused', async () => {
    const folder = storeFolder();
    const v1 = deployable(folder, 'v1');
    const { deployment, created } = await v1.deployments.deploy('triage', { tags: ['prod'], deployedBy: 'ci' });
    expect(created).toBe(true);
    expect(deployment).toMatchObject({ flow: 'triage', version: 'v1', tags: ['prod'], deployedBy: 'ci' });
    expect(deployment.inputSchema).toMatchObject({ type: 'object', properties: { ticket: { type: 'string' } }, required: ['ticket'] });
    expect((await v1.deployments.deploy('triage')).created).toBe(false);

    const changed = runtimeOn(folder, { codeVersion: 'v1' });
    changed.flow('triage', async (input: { ticket: string }) => `changed ${input.ticket}`, { input: z.object({ ticket: z.string() }) });
    await expect(changed.deployments.deploy('triage')).rejects.toSatisfy(DeploymentConflictError.isInstance);
    expect(await v1.deployments.list()).toEqual([deployment]);
  });

  it('invoke routes by tag to a queued execution pinned to that version; moving the tag routes only new invocations', async () => {
    const folder = storeFolder();
    const v1 = deployable(folder, 'v1');
    await v1.deployments.deploy('triage', { tags: ['prod'] });
    const first = await v1.deployments.invoke('triage', { ticket: 'T-1' }, { tag: 'prod' });
    expect(first.version).toBe('v1');

    const v2 = deployable(folder, 'v2');
    await v2.deployments.deploy('triage', { tags: ['prod'] });
    const second = await v2.deployments.invoke('triage', { ticket: 'T-2' });
    expect(second.version).toBe('v2');
    const store = await v1.store();
    expect(await executionOf(store, first.executionId)).toMatchObject({ status: 'queued', codeVersion: 'v1' });
    expect(await executionOf(store, second.executionId)).toMatchObject({ status: 'queued', codeVersion: 'v2' });

    // Each version's worker runs only its own.
    expect((await v2.executions.recover()).map((report) => report.executionId)).toEqual([second.executionId]);
    const summary = await v1.deployments.versions({ flow: 'triage' });
    expect(
      summary.map(({ version, tags, executions, retirable, served }) => ({
        version,
        tags,
        queued: executions.queued,
        completed: executions.completed,
        retirable,
        served,
      })),
    ).toEqual([
      { version: 'v1', tags: [], queued: 1, completed: 0, retirable: false, served: true },
      { version: 'v2', tags: ['prod'], queued: 0, completed: 1, retirable: false, served: false },
    ]);
    expect((await v1.executions.recover()).map((report) => report.executionId)).toEqual([first.executionId]);
    expect((await v1.deployments.versions({ flow: 'triage' }))[0]).toMatchObject({ version: 'v1', retirable: true });

    // Executions recorded without a version are continued by any code, so this code serves them too.
    await store.createExecution({
      id: 'ex_unversioned',
      flow: 'triage',
      status: 'waiting',
      input: (await executionOf(store, first.executionId)).input,
      lease: null,
      sessions: 1,
      createdAt: Date.now(),
    });
    expect((await v2.deployments.versions({ flow: 'triage' })).find((summary) => summary.version === '(none)')).toMatchObject({
      served: true,
      executions: { waiting: 1 },
    });
  });

  it('bad input: an unknown tag or version, invalid input, removing a version in use — each a clear error, nothing changed', async () => {
    const folder = storeFolder();
    const v1 = deployable(folder, 'v1');
    await v1.deployments.deploy('triage', { tags: ['prod'] });
    const store = await v1.store();

    const unknownTag = await v1.deployments.invoke('triage', { ticket: 'T' }, { tag: 'canary' }).catch((error: unknown) => error);
    expect(DeploymentNotFoundError.isInstance(unknownTag)).toBe(true);
    expect((unknownTag as Error).message).toContain('deployed tags: prod');
    await expect(v1.deployments.invoke('triage', { ticket: 'T' }, { version: 'v9' })).rejects.toThrow(/no deployed version "v9" \(deployed versions: v1\)/);
    await expect(v1.deployments.tag('triage', 'canary', 'v9')).rejects.toSatisfy(DeploymentNotFoundError.isInstance);
    const invalid = await v1.deployments.invoke('triage', { ticket: 7 }).catch((error: unknown) => error);
    expect(FlowInputInvalidError.isInstance(invalid)).toBe(true);
    expect((invalid as FlowInputInvalidError).issues[0]?.path).toBe('/ticket');
    await expect(v1.run('triage', { nope: true })).rejects.toSatisfy(FlowInputInvalidError.isInstance);
    expect(await store.listExecutions()).toEqual([]);

    await v1.deployments.invoke('triage', { ticket: 'T-1' });
    const inUse = await v1.deployments.remove('triage', 'v1').catch((error: unknown) => error);
    expect(DeploymentInUseError.isInstance(inUse)).toBe(true);
    expect(inUse).toMatchObject({ unfinished: { queued: 1 }, tags: ['prod'] });
    expect(await store.getDeployment('triage', 'v1')).not.toBeNull();

    await v1.executions.recover();
    await v1.deployments.untag('triage', 'prod');
    await v1.deployments.remove('triage', 'v1');
    expect(await store.listDeployments()).toEqual([]);
  });
});
