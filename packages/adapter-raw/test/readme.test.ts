import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAllChildren, runReadmeSnippet, startFakeLLM, type FakeLLM, type FakeRequest } from '@keel/testkit';
import { afterAll, afterEach, expect, it } from 'vitest';
import { toolResultsOf, turnOf } from './fixtures/news-script.js';

const packageDirectory = new URL('..', import.meta.url).pathname;
const cleanups: string[] = [];
let fake: FakeLLM | undefined;

afterEach(async () => {
  await killAllChildren();
  await fake?.stop();
});

afterAll(() => {
  for (const path of cleanups) rmSync(path, { recursive: true, force: true });
});

/** A model that searches, then publishes a brief from the headlines, then reports what it published. */
function scout(request: FakeRequest) {
  const turn = turnOf(request);
  if (turn === 0) return { toolCalls: [{ name: 'search_news', arguments: { topic: 'TypeScript' } }] };
  if (turn === 1) {
    const [first] = JSON.parse(String(toolResultsOf(request)[0]!.content)) as string[];
    return { toolCalls: [{ name: 'publish_brief', arguments: { text: `${first}.` } }] };
  }
  return `Brief is out (${String(toolResultsOf(request).at(-1)!.content)})`;
}

it('the README example runs as written: it stops for approval, is approved, and resumes without repeating calls', async () => {
  fake = await startFakeLLM({ script: Array(5).fill(scout) });
  // Inside the package, so that `@keel/adapter-raw` resolves to this package (a self-reference) and its
  // dependencies resolve as they would for a user.
  const folder = join(packageDirectory, 'test', '.readme');
  mkdirSync(folder, { recursive: true });
  cleanups.push(folder);
  const state = mkdtempSync(join(tmpdir(), 'keel-raw-readme-'));
  cleanups.push(state);

  const run = runReadmeSnippet({
    readme: join(packageDirectory, 'README.md'),
    marker: '<!-- example: news-scout.mjs -->',
    language: 'js',
    file: join(folder, 'news-scout.mjs'),
    env: { ANTHROPIC_BASE_URL: fake.origin, ANTHROPIC_API_KEY: 'test', KEEL_STORE: join(state, '.keel') },
  });
  const { code, stdout, stderr } = await run.exited;
  expect(code, stderr).toBe(0);
  expect(stdout).toBe(
    'Waiting for: Run the tool "publish_brief" with {"text":"TypeScript 7 ships a native compiler."}?\n' +
      'Brief is out (published: TypeScript 7 ships a native compiler.)\n',
  );
  // Three model calls, each made once: the resume replayed the first two from the store.
  expect(fake.requests.map(turnOf)).toEqual([0, 1, 2]);
});
