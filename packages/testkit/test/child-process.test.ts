import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  crashAfterCalls,
  jsonLine,
  killAllChildren,
  readmeSnippet,
  ReadmeSnippetMissingError,
  runReadmeSnippet,
  startChild,
  startFakeLLM,
  type FakeLLM,
} from '@keel/testkit';

const counter = fileURLToPath(new URL('./fixtures/counter.mjs', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'keel-testkit-'));
let fake: FakeLLM | undefined;

afterEach(async () => {
  await killAllChildren();
  await fake?.stop();
  fake = undefined;
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('startChild', () => {
  it('follows stdout line by line and resolves with the whole output once the process exited', async () => {
    const child = startChild(counter, ['2']);
    expect(await child.waitForLine(/^tick \d$/)).toBe('tick 1');
    const end = await child.exited;
    expect(end).toMatchObject({ code: 0, signal: null, stdout: 'tick 1\ntick 2\nresult {"n":2}\n' });
    expect(child.lines).toEqual(['tick 1', 'tick 2', 'result {"n":2}']);
    expect(jsonLine(end.stdout, 'result')).toEqual({ n: 2 });
    // A line already printed is found at once, by string, pattern or test.
    await expect(child.waitForLine('tick 2')).resolves.toBe('tick 2');
    await expect(child.waitForLine((line) => line.startsWith('result'))).resolves.toBe('result {"n":2}');
  });

  it('rejects a wait for a line the child never printed, quoting its output', async () => {
    const child = startChild(counter, ['1']);
    await expect(child.waitForLine('tick 9')).rejects.toThrow(/exited \(code 0\) before printing a line matching tick 9[\s\S]*tick 1/);
  });

  it('passes environment variables, and kill() ends the process with SIGKILL', async () => {
    const child = startChild(counter, ['1'], { env: { HANG: '1' } });
    await child.waitForLine('waiting');
    expect((await child.kill()).signal).toBe('SIGKILL');
  });

  it('kill() fails when the process had already ended by itself: a crash test must kill something', async () => {
    const child = startChild(counter, ['1']);
    await child.exited;
    await expect(child.kill()).rejects.toThrow(/by itself before it was killed/);
  });

  it('killAllChildren() kills what is still running', async () => {
    const children = [startChild(counter, ['1'], { env: { HANG: '1' } }), startChild(counter, ['1'], { env: { HANG: '1' } })];
    await Promise.all(children.map((child) => child.waitForLine('waiting')));
    await killAllChildren();
    expect((await Promise.all(children.map((child) => child.exited))).map((end) => end.signal)).toEqual(['SIGKILL', 'SIGKILL']);
  });

  it('jsonLine() names the prefix it did not find', () => {
    expect(() => jsonLine('tick 1\n', 'result')).toThrow(/no "result …" line/);
  });
});

describe('readmeSnippet and runReadmeSnippet', () => {
  const readme = join(folder, 'README.md');
  writeFileSync(
    readme,
    ['# Demo', '', '<!-- example: hello.mjs -->', '```sh', 'echo not this one', '```', '', '```js', "console.log('hello from the README');", '```', ''].join(
      '\n',
    ),
  );

  it('takes the first block of the language after the marker, verbatim, and runs it', async () => {
    expect(readmeSnippet({ readme, marker: '<!-- example: hello.mjs -->' })).toBe('echo not this one\n');
    expect(readmeSnippet({ readme, marker: '<!-- example: hello.mjs -->', language: 'js' })).toBe("console.log('hello from the README');\n");
    const end = await runReadmeSnippet({ readme, marker: '<!-- example: hello.mjs -->', language: 'js', file: join(folder, 'hello.mjs') }).exited;
    expect(end).toMatchObject({ code: 0, stdout: 'hello from the README\n' });
  });

  it('says what is missing: the marker, or a block after it', () => {
    expect(() => readmeSnippet({ readme, marker: '<!-- example: gone.mjs -->' })).toThrow(ReadmeSnippetMissingError);
    expect(() => readmeSnippet({ readme, marker: '<!-- example: gone.mjs -->' })).toThrow(/has no "<!-- example: gone.mjs -->"/);
    expect(() => readmeSnippet({ readme, marker: '# Demo', language: 'ts' })).toThrow(/no ```ts block follows "# Demo"/);
  });
});

describe('crashAfterCalls', () => {
  it('kills the first process at the k-th request to the fake server and counts the requests on each side', async () => {
    fake = await startFakeLLM({ script: [{ text: 'never sent', fault: { hang: true } }, 'one', 'two'] });
    const url = fake.url;
    const caller = join(folder, 'caller.mjs');
    // One request per process start: the first hangs (turn 0), the resumed process makes two.
    writeFileSync(
      caller,
      `const calls = Number(process.argv[2]);
for (let index = 0; index < calls; index++) {
  await fetch('${url}/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [] }) });
}
console.log('done');
`,
    );
    const result = await crashAfterCalls({
      fake,
      killAt: { requests: 1 },
      start: () => startChild(caller, ['1']),
      resume: () => startChild(caller, ['2']),
    });
    expect(result.killed.signal).toBe('SIGKILL');
    expect(result.resumed).toMatchObject({ code: 0, stdout: 'done\n' });
    expect([result.requestsBeforeKill, result.requestsAfterResume]).toEqual([1, 2]);
  });

  it('kills at the n-th matching line', async () => {
    const result = await crashAfterCalls({
      killAt: { lines: /^tick/, count: 2 },
      start: () => startChild(counter, ['3'], { env: { HANG: '1' } }),
      resume: () => startChild(counter, ['1']),
    });
    expect(result.killed.signal).toBe('SIGKILL');
    expect(result.killed.stdout).toMatch(/^tick 1\ntick 2\n/);
    expect(result.resumed.code).toBe(0);
  });
});
