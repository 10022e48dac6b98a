import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, keel, keelJson, removeProjects, writeFiles } from './cli-harness.js';

// A flow that drafts (a "model" call with token usage), waits for approval, then titles and publishes,
// saving markdown, JSON and binary artifacts.
const reviewFlow = `import { checkpoint, flow, log, save, wait } from '@keel/core';
import { z } from 'zod';

export const review = flow('review', async (input: { topic: string }) => {
  const draft = await checkpoint('draft', () => 'A post about ' + input.topic, {
    kind: 'model',
    metadata: { model: 'fake-model-1', usage: { inputTokens: 1204, outputTokens: 88 } },
  });
  log.info('drafted', { chars: draft.length });
  const decision = await wait('approve', {
    schema: z.object({ approved: z.boolean(), note: z.string().optional() }),
    question: 'Publish this draft?',
  });
  const title = await checkpoint('title', () => draft.toUpperCase());
  const published = await checkpoint('publish', () => (decision.approved ? title + ' / ' + (decision.note ?? 'no note') : 'dropped'), { kind: 'tool' });
  log.warn('published', { published });
  await save('report', '# ' + title + '\\n\\n' + published + '\\n', { type: 'markdown' });
  await save('stats', { chars: published.length, approved: decision.approved });
  await save('thumbnail', new Uint8Array([137, 80, 78, 71]), { type: 'image/png' });
  return { published };
});
`;

const failingFlow = `import { checkpoint, flow } from '@keel/core';
import { existsSync } from 'node:fs';

export const flaky = flow('flaky', async (input: { fixed: string }) => {
  const one = await checkpoint('prepare', () => 'prepared');
  const two = await checkpoint('call_api', () => {
    if (!existsSync(input.fixed)) throw new Error('the API said no');
    return 'answered';
  });
  return one + ' ' + two;
});
`;

// A research loop whose tool runs an inner agent: 4 model calls of 120 tokens each (gpt-4o-mini list price).
const spenderFlow = `import { checkpoint, flow } from '@keel/core';

const model = (answer: string) =>
  checkpoint('model', () => answer, { kind: 'model', metadata: { model: 'gpt-4o-mini', usage: { inputTokens: 100, outputTokens: 20 } } });

export const spender = flow('spender', async () => {
  await model('plan');
  const found = await checkpoint('research', async () => [await model('lead one'), await model('lead two')], { kind: 'tool' });
  return model('summary of ' + found.join(', '));
});
`;

let project: string;

beforeAll(async () => {
  project = createProject('link');
  const init = await keel(project, ['init']);
  expect(init.code, init.stderr).toBe(0);
  writeFiles(project, { 'flows/review.ts': reviewFlow, 'flows/flaky.ts': failingFlow, 'flows/spender.ts': spenderFlow });
});

afterAll(removeProjects);

describe('keel init', () => {
  it('writes the config, an example flow and the store, ignores the store in git, and is safe to run twice', async () => {
    const config = readFileSync(join(project, 'keel.config.ts'), 'utf8');
    expect(config).toContain('store: "./.keel"');
    expect(config).toContain("flows: ['./flows/*.ts']");
    expect(readFileSync(join(project, 'flows', 'hello.ts'), 'utf8')).toContain("flow('hello'");
    const again = await keel(project, ['init']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('keel.config.ts exists; kept as it is');
    expect(again.stdout).toContain('keel run hello');
    expect(readFileSync(join(project, 'keel.config.ts'), 'utf8')).toBe(config);
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toBe('.keel/\n');
  });

  it('runs the example flow right after init and says what to do next', async () => {
    const run = await keel(project, ['run', 'hello', '--input', '{"name":"Ada"}']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✓ compose:1 +step +completed/);
    expect(run.stdout).toMatch(/✓ shout:1 +step +completed/);
    expect(run.stdout).toContain('"loud":"HELLO, ADA!"');
    const id = /ex_[0-9a-z]{18}/.exec(run.stdout)![0];
    expect(run.stdout).toContain(`keel executions show ${id}`);
    expect((await keel(project, ['artifacts', 'get', id, 'greeting'])).stdout).toBe('# HELLO, ADA!\n\nComposed by Keel for Ada.\n');
  });
});

describe('a flow that waits for input', () => {
  let id: string;

  it('runs to the wait, exits 3 and prints the exact input command', async () => {
    const run = await keel(project, ['run', 'review', '--input', '{"topic":"durable agents"}']);
    expect(run.code, run.stderr).toBe(3);
    id = /ex_[0-9a-z]{18}/.exec(run.stdout)![0];
    expect(run.stdout).toMatch(/✓ draft:1 +model +completed/);
    expect(run.stdout).toMatch(/◇ approve:1 +wait +waiting/);
    expect(run.stdout).toContain('Publish this draft?');
    expect(run.stdout).toContain('expects  { approved: boolean, note?: string }');
    expect(run.stdout).toContain(`keel executions input ${id} --wait approve --value '{"approved":true}'`);
    expect(run.stdout).toContain('keel worker --once');
  });

  it('refuses a value the schema rejects with its complaint, changes nothing, and exits 2', async () => {
    const before = await keelJson(project, ['executions', 'show', id]);
    const [wrong, unknownWait] = await Promise.all([
      keel(project, ['executions', 'input', id, '--wait', 'approve', '--value', '{"approved":"yes"}']),
      keel(project, ['executions', 'input', id, '--wait', 'aprove', '--value', '{"approved":true}']),
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('/approved must be boolean');
    expect(wrong.stderr).toContain('Nothing was changed');
    expect(wrong.stderr).toContain('expects  { approved: boolean, note?: string }');
    expect(wrong.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const after = await keelJson(project, ['executions', 'show', id]);
    expect(after.execution.status).toBe('waiting');
    expect(after.execution.version).toBe(before.execution.version);
    expect(after.waits).toEqual(before.waits);
    expect(after.waits[0].status).toBe('pending');
    expect(unknownWait.code).toBe(2);
    expect(unknownWait.stderr).toContain('approve:1');
  });

  it('accepts the right value, and a worker pass completes the execution', async () => {
    const input = await keel(project, ['executions', 'input', id, '--wait', 'approve', '--value', '{"approved":true,"note":"ship it"}']);
    expect(input.code, input.stderr).toBe(0);
    expect(input.stdout).toContain(`input accepted for approve:1 of ${id}`);
    expect(input.stdout).toContain('Nothing runs until the execution is resumed');

    const worker = await keel(project, ['worker', '--once']);
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stdout).toMatch(new RegExp(`✓ ${id} review waiting → completed`));
    const shown = await keelJson(project, ['executions', 'show', id]);
    expect(shown.execution.status).toBe('completed');
    expect(shown.execution.output).toEqual({ published: 'A POST ABOUT DURABLE AGENTS / ship it' });
    expect(shown.checkpoints.map((checkpoint: { id: string; attempts: number }) => [checkpoint.id, checkpoint.attempts])).toEqual([
      ['draft:1', 1],
      ['approve:1', 1],
      ['title:1', 1],
      ['publish:1', 1],
    ]);
  });

  it('shows the tree with kinds, attempts, model and tokens, the answered wait, and the artifacts', async () => {
    const show = await keel(project, ['executions', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/✓ draft:1 +model +completed +\S+ +1 attempt +fake-model-1 · 1,204 in \/ 88 out tokens/);
    expect(show.stdout).toMatch(/✓ approve:1 +wait +completed/);
    expect(show.stdout).toMatch(/✓ publish:1 +tool +completed/);
    expect(show.stdout).toContain('tokens   fake-model-1 · 1,204 in / 88 out tokens');
    expect(show.stdout).toMatch(/approve:1 +\{"approved":true,"note":"ship it"\} +cli:/);
    expect(show.stdout).toMatch(/report +markdown/);
    expect(show.stdout).toMatch(/thumbnail +image\/png/);
  });

  it('prints artifacts: markdown raw, JSON pretty, binary only to a file', async () => {
    const [report, stats, binary, written, missing, list] = await Promise.all([
      keel(project, ['artifacts', 'get', id, 'report']),
      keel(project, ['artifacts', 'get', id, 'stats']),
      keel(project, ['artifacts', 'get', id, 'thumbnail']),
      keel(project, ['artifacts', 'get', id, 'thumbnail', '--out', 'thumb.png']),
      keel(project, ['artifacts', 'get', id, 'reprot']),
      keelJson(project, ['artifacts', 'list', id]),
    ]);
    expect(report.stdout).toBe('# A POST ABOUT DURABLE AGENTS\n\nA POST ABOUT DURABLE AGENTS / ship it\n');
    expect(stats.stdout).toBe('{\n  "chars": 37,\n  "approved": true\n}\n');
    expect(binary.code).toBe(2);
    expect(binary.stderr).toContain('--out');
    expect(written.code).toBe(0);
    expect([...readFileSync(join(project, 'thumb.png'))]).toEqual([137, 80, 78, 71]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('report');
    expect(list.map((artifact: { name: string }) => artifact.name).sort()).toEqual(['output', 'report', 'stats', 'thumbnail']);
  });

  it('prints the logs with their checkpoints and sessions', async () => {
    const [logs, followed] = await Promise.all([keel(project, ['executions', 'logs', id]), keel(project, ['executions', 'logs', id, '--follow', '--json'])]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/info +\(flow\) +drafted +chars=27/);
    expect(logs.stdout).toMatch(/warn +\(flow\) +published +published=A POST ABOUT DURABLE AGENTS \/ ship it +#2/);
    // The body runs again from the top on resume, but a line it replays before its first live call was
    // written by the first session already, so it is not written twice.
    const lines = followed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.message, line.session])).toEqual([
      ['drafted', 1],
      ['published', 2],
    ]);
  });

  it('replays with an override: a new execution in which the downstream checkpoints re-ran', async () => {
    const replay = await keel(project, ['executions', 'replay', id, '--override', 'title:1="A SHORTER TITLE"']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/reused +draft:1, approve:1/);
    expect(replay.stdout).toMatch(/overridden +title:1/);
    expect(replay.stdout).toMatch(/re-ran +publish:1 \(output changed\)/);
    expect(replay.stdout).toContain('before {"published":"A POST ABOUT DURABLE AGENTS / ship it"}');
    expect(replay.stdout).toContain('after  {"published":"A SHORTER TITLE / ship it"}');
    const replayId = /Replay (ex_[0-9a-z]{18})/.exec(replay.stdout)![1]!;
    expect(replayId).not.toBe(id);
    const shown = await keelJson(project, ['executions', 'show', replayId]);
    // The replay records the code version of the run it replays (the same code here).
    expect(shown.execution.replayOf).toEqual({
      executionId: id,
      from: 'title:1',
      overridden: ['title:1'],
      hermetic: false,
      codeVersion: shown.execution.codeVersion,
    });
    expect(shown.checkpoints.find((checkpoint: { id: string }) => checkpoint.id === 'publish:1').output).toBe('A SHORTER TITLE / ship it');
    // The original is untouched.
    expect((await keelJson(project, ['executions', 'show', id])).execution.output).toEqual({ published: 'A POST ABOUT DURABLE AGENTS / ship it' });
  });

  it('replays hermetically: reusing everything completes, a call without a record fails with exit 1', async () => {
    const [all, miss] = await Promise.all([
      keelJson(project, ['executions', 'replay', id, '--hermetic']),
      keel(project, ['executions', 'replay', id, '--from', 'publish:1', '--hermetic']),
    ]);
    expect(all.status).toBe('completed');
    expect(all.reused).toEqual(['draft:1', 'approve:1', 'title:1', 'publish:1']);
    expect(miss.code).toBe(1);
    expect(miss.stdout).toContain('ReplayMissError');
  });

  it('names unknown checkpoints, executions and flows with what exists nearby, exit 2, no stack trace', async () => {
    const [checkpoint, execution, typo, flow, debug] = await Promise.all([
      keel(project, ['executions', 'replay', id, '--from', 'publsh:1']),
      keel(project, ['executions', 'show', 'ex_nope']),
      keel(project, ['executions', 'show', id.slice(0, -1)]),
      keel(project, ['run', 'reviw']),
      keel(project, ['run', 'reviw', '--debug']),
    ]);
    expect(checkpoint.code).toBe(2);
    expect(checkpoint.stderr).toContain('has no checkpoint "publsh:1". Did you mean "publish:1"?');
    expect(checkpoint.stdout).toBe('');
    expect(execution.code).toBe(2);
    expect(execution.stderr).toContain('Execution "ex_nope" was not found');
    expect(execution.stderr).toMatch(/Recent: ex_[0-9a-z]{18} \(/);
    expect(typo.stderr).toContain(`Did you mean ${id}?`);
    expect(flow.code).toBe(2);
    expect(flow.stderr).toContain('No flow named "reviw" in this project. Did you mean "review"?');
    expect(flow.stderr).toContain('review (flows/review.ts)');
    for (const result of [checkpoint, execution, flow]) expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe('budgets and costs', () => {
  it('runs with --budget-tokens to the budget wait, shows cost and budget, and a worker finishes it after approval', async () => {
    const refused = await keel(project, ['run', 'spender', '--budget-tokens', 'lots']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"lots" is not a number of at least 0');

    const run = await keel(project, ['run', 'spender', '--budget-tokens', '300', '--budget-usd', '1']);
    expect(run.code, run.stderr).toBe(3);
    const id = /ex_[0-9a-z]{18}/.exec(run.stdout)![0];
    expect(run.stdout).toContain('360 of 300 tokens');
    expect(run.stdout).toContain(`keel executions input ${id} --wait budget`);

    const show = await keel(project, ['executions', 'show', id]);
    expect(show.stdout).toMatch(/cost +3 model calls · 360 tokens · ~\$0\.000081/);
    expect(show.stdout).toMatch(/budget +360 of 300 tokens, \$0\.000081 of \$1\.00 spent/);
    expect(show.stdout).toMatch(/research:1 +tool +completed .*below: 2 model calls · 240 tokens · ~\$0\.000054/);
    expect((await keelJson(project, ['executions', 'show', id])).cost.byCheckpoint['research:1']).toEqual({
      tokens: 240,
      usd: expect.closeTo(0.000054, 12),
      calls: 2,
      unpricedCalls: 0,
    });

    const input = await keel(project, ['executions', 'input', id, '--wait', 'budget', '--value', '{"approve":true,"add":{"tokens":200}}']);
    expect(input.code, input.stderr).toBe(0);
    const worker = await keel(project, ['worker', '--once']);
    expect(worker.stdout).toMatch(new RegExp(`✓ ${id} spender waiting → completed`));
    const done = await keelJson(project, ['executions', 'show', id]);
    expect(done.execution.output).toBe('summary of lead one, lead two');
    expect(done.cost.spent).toMatchObject({ tokens: 480, calls: 4 });
  });
});

describe('failed runs', () => {
  it('exits 1 with where it failed; retry after a fix reuses what completed', async () => {
    const fixed = join(project, 'fixed');
    const run = await keel(project, ['run', 'flaky', '--input', JSON.stringify({ fixed })]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Error: the API said no');
    expect(run.stdout).toContain('at checkpoint call_api:1');
    const id = /ex_[0-9a-z]{18}/.exec(run.stdout)![0];
    expect(run.stdout).toContain(`keel executions retry ${id}`);
    const resume = await keel(project, ['executions', 'resume', id]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('Use retry');
    writeFiles(project, { fixed: '' });
    const retry = await keelJson(project, ['executions', 'retry', id]);
    expect(retry).toMatchObject({ executionId: id, status: 'completed', output: 'prepared answered' });
    const records = (await keelJson(project, ['executions', 'show', id])).checkpoints;
    expect(records.map((record: { id: string; attempts: number }) => [record.id, record.attempts])).toEqual([
      ['prepare:1', 1],
      ['call_api:1', 2],
    ]);
  });
});

describe('listing and options', () => {
  it('lists with filters and limits, as a table or JSON', async () => {
    const waiting = await keel(project, ['run', 'review', '--input', '{"topic":"lists"}']);
    const waitingId = /ex_[0-9a-z]{18}/.exec(waiting.stdout)![0];
    const [table, json, bad] = await Promise.all([
      keel(project, ['executions', 'list', '--status', 'waiting']),
      keelJson(project, ['executions', 'list', '--flow', 'review', '--limit', '1']),
      keel(project, ['executions', 'list', '--status', 'done']),
    ]);
    expect(table.stdout).toMatch(new RegExp(`◇ +${waitingId} +review +waiting +(just now|\\S+ ago) +waits for approve`));
    expect(json.map((execution: { id: string }) => execution.id)).toEqual([waitingId]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('queued, running, waiting, completed, failed, cancelled');
    const cancel = await keelJson(project, ['executions', 'cancel', waitingId]);
    expect(cancel).toEqual({ executionId: waitingId, status: 'cancelled' });
  });

  it('--store and KEEL_STORE override the config everywhere', async () => {
    const run = await keel(project, ['run', 'hello', '--store', './other-store']);
    expect(run.code).toBe(0);
    const id = /ex_[0-9a-z]{18}/.exec(run.stdout)![0];
    expect(run.stdout).toContain(`keel executions show ${id} --store ./other-store`);
    const [inConfigStore, throughEnvironment, fromSubfolder] = await Promise.all([
      keel(project, ['executions', 'show', id]),
      keel(project, ['executions', 'show', id], { KEEL_STORE: './other-store' }),
      keel(join(project, 'flows'), ['executions', 'show', id, '--store', '../other-store']),
    ]);
    expect(inConfigStore.code).toBe(2);
    expect(throughEnvironment.code).toBe(0);
    expect(fromSubfolder.code).toBe(0);
  });

  it('prints --help with examples and exit 0, and exits 2 on bad usage', async () => {
    // Every command's help is checked in program-help.test.ts; here, that the real process prints it.
    const commands = [[], ['executions', 'input']];
    const results = await Promise.all(commands.map((command) => keel(project, [...command, '--help'])));
    results.forEach((result, index) => {
      expect(result.code, commands[index]!.join(' ')).toBe(0);
      expect(result.stdout, commands[index]!.join(' ')).toContain('Examples:');
    });
    const [unknown, badJson] = await Promise.all([keel(project, ['executions', 'lst']), keel(project, ['run', 'hello', '--input', '{name: 1}'])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean one of list, ls?');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--input: not valid JSON');
  });
});
