import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllChildren, startChild, startFakeLLM, type FakeLLM, type FakeRequest, type FakeTurn, type RunningChild } from '@keel/testkit';
import { useChromium } from '@keel/testkit/browser';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const serverScript = fileURLToPath(new URL('../dist/server/main.js', import.meta.url));
const chromium = useChromium({
  tests: 'The chat browser tests',
  screenshots: new URL('./screenshots/', import.meta.url),
  temporaryPrefix: 'keel-chat-screenshots-',
});
const screenshots = chromium.screenshots;
const prompt = 'Find the news that matters for these interests:\n- ai agents\n\nToday is 2026-11-24. Read at most 1 articles.';
const articleUrl = 'https://news.example/agents';
const paperUrl = 'https://papers.example/agents';
const finalText = 'Brief: insurers now ask for agent audit trails.';

/** Polls until the value matches (servers start, resume and stream at their own pace; no fixed sleeps). */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000, interval: 100 });

let fake: FakeLLM | undefined;
const folders: string[] = [];

/** The tool the model called last in a Responses API request, from its input items. */
function lastCall(request: FakeRequest): string | undefined {
  const items = (request.body.input ?? []) as { type?: string; name?: string }[];
  return items.filter((item) => item.type === 'function_call').at(-1)?.name;
}

/**
 * The scout's model at the fake server, answering from the request: search, read one article, then
 * (with `approval`) check its paper with `fetch_url`, which needs the reader's approval, then the brief.
 */
function scoutTurn(approval: boolean) {
  return (request: FakeRequest): FakeTurn => {
    switch (lastCall(request)) {
      case undefined:
        return { text: 'Searching the news. ', toolCalls: [{ name: 'search_news', arguments: { query: 'ai agents' } }] };
      case 'search_news':
        return { text: 'Reading the top story. ', toolCalls: [{ name: 'investigate', arguments: { url: articleUrl } }] };
      case 'investigate':
        return approval ? { text: 'Checking its source. ', toolCalls: [{ name: 'fetch_url', arguments: { url: paperUrl } }] } : { text: finalText };
      default:
        return { text: finalText };
    }
  };
}

/** A script entry that answers only once `release` resolves (the model call in flight, held). */
function held(turn: (request: FakeRequest) => FakeTurn, release: Promise<void>) {
  return async (request: FakeRequest) => {
    await release;
    return turn(request);
  };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The example's server (the built one, as `pnpm --filter chat dev` runs it) in a child process. */
async function startServer(store: string, port: number): Promise<RunningChild> {
  const child = startChild(serverScript, [], {
    env: { PORT: String(port), KEEL_STORE: store, NEWS_SCOUT_MODEL: 'openai:gpt-4o', OPENAI_BASE_URL: fake!.url, OPENAI_API_KEY: 'test' },
  });
  await child.waitForLine(/^chat listening on /);
  return child;
}

async function setUp(script: Parameters<typeof startFakeLLM>[0]['script']) {
  fake = await startFakeLLM({ script });
  const folder = mkdtempSync(join(tmpdir(), 'keel-chat-browser-'));
  folders.push(folder);
  const store = join(folder, '.keel');
  const port = await freePort();
  const server = await startServer(store, port);
  const page = await chromium.browser.newPage({ viewport: { width: 1000, height: 900 } });
  return { store, port, server, page, url: `http://127.0.0.1:${port}/?chat=` };
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

const assistant = (page: Page) => page.locator('li[data-role="assistant"]');

/** The assistant's text on screen, and how often each sentence of the answer appears in it. */
async function answerOnScreen(page: Page) {
  const text = (await assistant(page).locator('.text').allTextContents()).join('');
  const count = (sentence: string) => text.split(sentence).length - 1;
  return { text, count };
}

beforeAll(() => {
  if (!existsSync(serverScript)) throw new Error(`The chat example is not built (${serverScript} is missing): run \`pnpm build\` first.`);
});

afterEach(async () => {
  for (const context of chromium.browser.contexts()) await context.close();
  await killAllChildren();
  await fake?.stop();
  fake = undefined;
});

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the chat example in a browser', () => {
  it('a reload mid-answer: the page reconnects and the answer completes, each model call made once', async () => {
    const last = gate();
    const turn = scoutTurn(false);
    const { page, url } = await setUp([turn, turn, held(turn, last.opened)]);
    await page.goto(`${url}reload1`);
    await send(page, prompt);
    await fake!.waitForRequests(3); // the brief is being written
    await eventually(() => page.locator('.tool[data-tool="investigate"]').getAttribute('data-state')).toBe('output-available');

    await page.reload();
    // The stored question, then the running answer from its first chunk.
    await eventually(async () => (await answerOnScreen(page)).text).toBe('Searching the news. Reading the top story. ');
    await eventually(() => page.locator('.status').getAttribute('data-status')).toBe('streaming');
    last.open();
    await eventually(async () => (await answerOnScreen(page)).count(finalText)).toBe(1);
    const { count } = await answerOnScreen(page);
    expect(count('Searching the news.')).toBe(1);
    expect(await assistant(page).count()).toBe(1);
    expect(await page.locator('li[data-role="user"]').count()).toBe(1);
    expect(fake!.requests).toHaveLength(3);
    await page.screenshot({ path: join(screenshots, 'chat-after-reload.png'), fullPage: true });
  });

  it('the server is killed (SIGKILL) mid-answer and started again: the open page shows the whole answer, the call in flight re-run once', async () => {
    const rerun = gate();
    const turn = scoutTurn(false);
    // Request 3 (in flight when the server dies) is never answered; request 4 is its re-run.
    const { page, url, store, port, server } = await setUp([turn, turn, held(turn, new Promise(() => {})), held(turn, rerun.opened)]);
    await page.goto(`${url}crash1`);
    await send(page, prompt);
    await fake!.waitForRequests(3);
    await eventually(() => page.locator('.tool[data-tool="investigate"]').getAttribute('data-state')).toBe('output-available');

    await server.kill();
    await eventually(() => page.locator('.status').getAttribute('data-status')).toBe('error');
    await page.screenshot({ path: join(screenshots, 'chat-server-down.png'), fullPage: true });

    const restarted = await startServer(store, port);
    expect(restarted.lines).toContain('resumed 1 turn(s) a previous server left unfinished');
    await fake!.waitForRequests(4); // the call that was in flight runs again, in the new server
    await eventually(() => page.locator('.status').getAttribute('data-status')).toBe('streaming');
    rerun.open();
    await eventually(async () => (await answerOnScreen(page)).count(finalText)).toBe(1);
    const { text, count } = await answerOnScreen(page);
    expect(text).toBe(`Searching the news. Reading the top story. ${finalText}`);
    expect(count('Searching the news.')).toBe(1);
    expect(await page.locator('.tool').count()).toBe(2);
    // Calls 1 and 2 were reused from the store; call 3 was made twice (cut, then re-run), no more.
    expect(fake!.requests).toHaveLength(4);
    await page.screenshot({ path: join(screenshots, 'chat-after-restart.png'), fullPage: true });
  });

  it('a tool call approved in the browser after a server restart continues the same turn', async () => {
    const turn = scoutTurn(true);
    const { page, url, store, port, server } = await setUp([turn, turn, turn, turn]);
    await page.goto(`${url}approve1`);
    await send(page, prompt);
    const approve = page.getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    await page.screenshot({ path: join(screenshots, 'chat-approval.png'), fullPage: true });

    await server.kill();
    await startServer(store, port);
    await approve.click();
    await eventually(async () => (await answerOnScreen(page)).count(finalText)).toBe(1);
    await eventually(() => page.locator('.tool[data-tool="fetch_url"]').getAttribute('data-state')).toBe('output-available');
    const { text } = await answerOnScreen(page);
    expect(text).toBe(`Searching the news. Reading the top story. Checking its source. ${finalText}`);
    expect(fake!.requests).toHaveLength(4);

    // Reloaded, the page shows the same conversation, from the store.
    await page.reload();
    await eventually(async () => (await answerOnScreen(page)).text).toBe(text);
    expect(await page.locator('.tool').count()).toBe(3);
    await page.screenshot({ path: join(screenshots, 'chat-approved.png'), fullPage: true });
  });
});
