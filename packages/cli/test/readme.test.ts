import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, cleanEnvironment, cliRoot, createProject, keel, keelJson, removeProjects, writeFiles } from './cli-harness.js';

const readme = readFileSync(join(cliRoot, 'README.md'), 'utf8');

/** The code block that follows `<!-- readme-test: <path> -->` in the README. */
function readmeFile(path: string): string {
  const marker = `<!-- readme-test: ${path} -->`;
  const start = readme.indexOf(marker);
  expect(start, `README has ${marker}`).toBeGreaterThan(-1);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))!;
  return block[1]!;
}

/** Runs a command line exactly as keel printed it, with `keel` standing for the built CLI. */
async function paste(cwd: string, line: string) {
  expect(line.startsWith('keel ')).toBe(true);
  const shell = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} ${line.slice('keel '.length)}`;
  return promisify(execFile)('/bin/sh', ['-c', shell], { cwd, env: cleanEnvironment() });
}

afterAll(removeProjects);

describe('the README quick start', () => {
  it('works as written, and the commands keel prints can be pasted', async () => {
    const project = createProject('link');
    expect((await keel(project, ['init'])).code).toBe(0);
    writeFiles(project, { 'flows/review.ts': readmeFile('flows/review.ts') });

    const run = await keel(project, ['run', 'review', '--input', '{"topic":"octopuses"}']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('Publish "Five facts about octopuses"?');
    const answer = run.stdout
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.startsWith('keel executions input '))!;
    const id = /ex_[0-9a-z]{18}/.exec(answer)![0];

    const refused = await keel(project, ['executions', 'input', id, '--wait', 'approve', '--value', '{"approved":"yes"}']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('/approved must be boolean');

    await paste(project, answer);
    const worker = await keel(project, ['worker', '--once']);
    expect(worker.stdout).toContain(`✓ ${id} review waiting → completed`);
    expect((await keel(project, ['artifacts', 'get', id, 'post'])).stdout).toBe('# Five facts about octopuses (approved)\n');

    const replay = await keel(project, ['executions', 'replay', id, '--override', 'draft:1="Six facts about squid"']);
    expect(replay.code).toBe(3);
    expect(replay.stdout).toMatch(/overridden +draft:1/);
    expect(replay.stdout).toMatch(/re-ran +approve:1 \(waiting\)/);
    expect(replay.stdout).toMatch(/not reached +publish:1/);
    expect(replay.stdout).toContain('Publish "Six facts about squid"?');
    const replayId = /Replay (ex_[0-9a-z]{18})/.exec(replay.stdout)![1]!;
    expect((await keelJson(project, ['executions', 'show', replayId])).execution.status).toBe('waiting');
  });
});
